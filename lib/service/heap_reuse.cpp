#include "lib/service/heap_reuse.hpp"

#include <malloc.h>

namespace postern::service {

void keep_freed_heap() {
  // Setting either value also stops glibc from moving them on its own.
  ::mallopt(M_MMAP_THRESHOLD, 1 << 20);
  ::mallopt(M_TRIM_THRESHOLD, 8 << 20);
}

}  // namespace postern::service
