#include "console/net_option.h"

namespace nestlab::cli {

HostResult<std::string> parse_net_option(const std::vector<std::string>& words) {
  if (words.empty()) return std::string();
  if (words.size() > 1)
    return make_error(ErrorCode::InvalidArgument,
                      "--net: a VM has one network device; give --net NAME once");
  const std::string& name = words.front();
  bool ok = !name.empty() && name.size() <= 32;
  for (char c : name)
    ok = ok && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                c == '.' || c == '_' || c == '-');
  if (!ok)
    return make_error(ErrorCode::InvalidArgument,
                      "--net " + name.substr(0, 40) +
                          ": a lab network's name is 1 to 32 characters of A-Z a-z 0-9 . _ -");
  return name;
}

}  // namespace nestlab::cli
