// Keeping freed heap memory in a daemon for its next request.
#pragma once

namespace postern::service {

// A daemon that allocates and frees the same 64-128 KB message buffers for
// every request would, with glibc's defaults, hand the freed heap top back
// to the kernel each time and take page faults to get it back on the next
// request: a fifth of local's CPU time on 100 KB messages. This keeps up to
// 8 MB of freed heap and serves buffers below 1 MB from the heap. Call once,
// from main, before the first request.
void keep_freed_heap();

}  // namespace postern::service
