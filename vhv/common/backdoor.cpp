#include "vhv/common/backdoor.h"

namespace nestlab::backdoor {

const char* service_name(uint64_t service) {
  switch (static_cast<Service>(service)) {
    case Service::Version: return "version";
    case Service::HostTimeNs: return "host-time";
    case Service::VmUuid: return "vm-uuid";
    case Service::Print: return "print";
    case Service::GuestInfoGet: return "guestinfo-get";
    case Service::GuestInfoSet: return "guestinfo-set";
    case Service::Echo: return "echo";
    case Service::SecretRegion: return "secret-region";
    case Service::PrdaProbe: return "prda-probe";
  }
  return "unknown";
}

const char* error_name(Error e) {
  switch (e) {
    case Error::Ok: return "ok";
    case Error::UnknownService: return "unknown-service";
    case Error::BadAddress: return "bad-address";
    case Error::BadString: return "bad-string";
    case Error::NotFound: return "not-found";
    case Error::NoSpace: return "no-space";
    case Error::Busy: return "busy";
    case Error::BadArgument: return "bad-argument";
  }
  return "?";
}

}  // namespace nestlab::backdoor
