// Child side of the status channel to master (fd 3, see master_proto.hpp).
#pragma once

namespace postern::service {

class StatusChannel {
 public:
  // `connected` is false in stand-alone mode: every report is then a no-op.
  StatusChannel(bool connected, int generation);
  // Tells master whether this process can take more clients. Repeated
  // reports of the same state are sent only once.
  void report(bool available);
  bool connected() const { return connected_; }
  // Stops reporting (master went away or asked us to finish).
  void disconnect() { connected_ = false; }

 private:
  bool connected_;
  int generation_;
  int last_ = -1;
};

}  // namespace postern::service
