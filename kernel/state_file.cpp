#include "kernel/state_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "base/unique_fd.h"

namespace nestlab::kernel {

using nlohmann::json;

namespace {

constexpr size_t kMaxStateFile = 1 << 20;

std::string dir_of(const std::string& path) {
  auto slash = path.rfind('/');
  return slash == std::string::npos ? "." : path.substr(0, slash);
}

// The text the checksum covers: the payload in one canonical form.
std::string canonical(const json& payload) {
  return payload.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace

std::string state_checksum(const std::string& text) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char c : text) {
    h ^= c;
    h *= 0x100000001b3ull;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "fnv1a64:%016llx", static_cast<unsigned long long>(h));
  return buf;
}

HostResult<void> write_state_file(const std::string& path, const std::string& kind,
                                  const json& payload) {
  json envelope{{"format", "nestlab-state"},
                {"kind", kind},
                {"version", kStateVersion},
                {"checksum", state_checksum(canonical(payload))},
                {"payload", payload}};
  std::string text = envelope.dump(1) + "\n";
  std::string tmp = path + ".tmp";
  {
    UniqueFd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
    if (!fd) return errno_error("cannot write " + tmp);
    size_t off = 0;
    while (off < text.size()) {
      ssize_t n = ::write(fd.get(), text.data() + off, text.size() - off);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        auto e = errno_error("cannot write " + tmp);
        ::unlink(tmp.c_str());
        return e;
      }
      off += static_cast<size_t>(n);
    }
    if (::fsync(fd.get()) < 0) {
      auto e = errno_error("fsync " + tmp);
      ::unlink(tmp.c_str());
      return e;
    }
  }
  if (::rename(tmp.c_str(), path.c_str()) < 0) {
    auto e = errno_error("rename " + tmp + " to " + path);
    ::unlink(tmp.c_str());
    return e;
  }
  // The rename itself must survive a crash too.
  UniqueFd dir(::open(dir_of(path).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir) ::fsync(dir.get());
  return {};
}

HostResult<json> read_state_file(const std::string& path, const std::string& kind) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return errno_error("cannot read " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string text = ss.str();
  auto bad = [&](const std::string& why) {
    return make_error(ErrorCode::Protocol,
                      path + " is not a valid " + kind + " state file: " + why);
  };
  if (text.size() > kMaxStateFile) return bad("larger than 1 MiB");
  json envelope = json::parse(text, nullptr, false);
  if (envelope.is_discarded()) return bad("not JSON (truncated or overwritten?)");
  if (!envelope.is_object() || envelope.value("format", json()) != "nestlab-state")
    return bad("no \"format\":\"nestlab-state\"");
  if (envelope.value("kind", json()) != kind)
    return bad("it holds a \"" + envelope.value("kind", json("?")).dump() + "\" record");
  json version = envelope.value("version", json());
  if (!version.is_number_integer()) return bad("no format version");
  if (version.get<int>() != kStateVersion)
    return bad("format version " + version.dump() + ", this nestlabd reads version " +
               std::to_string(kStateVersion));
  if (!envelope.contains("payload") || !envelope["payload"].is_object()) return bad("no payload");
  std::string sum = state_checksum(canonical(envelope["payload"]));
  if (envelope.value("checksum", json()) != sum)
    return bad("checksum mismatch (the file was changed or damaged)");
  return envelope["payload"];
}

}  // namespace nestlab::kernel
