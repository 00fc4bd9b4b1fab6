#include "console/client/connect.h"

#include <filesystem>

#include "console/client/kernel_launcher.h"
#include "console/client/places.h"

namespace nestlab::client {

namespace {

std::string prepare_log_path() {
  std::error_code ec;
  std::filesystem::path dir = default_state_dir();
  std::filesystem::create_directories(dir, ec);
  if (ec) return {};
  return (dir / "nestlabd.log").string();
}

}  // namespace

HostResult<std::unique_ptr<Client>> connect_to_kernel(const ConnectOptions& options) {
  std::string path = options.socket_path.empty() ? default_socket_path() : options.socket_path;
  auto first = Client::connect(path);
  if (first.is_ok() || options.auto_start == AutoStart::No) return first;
  if (first.error().code != ErrorCode::Unavailable) return first;

  LaunchOptions launch;
  launch.kernel_path = kernel_executable();
  launch.socket_path = path;
  launch.log_path = prepare_log_path();
  auto launched = launch_kernel(launch);
  // Another client may have started a kernel at the same moment (ours then
  // fails to bind); whoever listens now is fine.
  auto second = Client::connect(path);
  if (second.is_ok()) return second;
  std::string why = launched.is_error() ? launched.error().message : second.error().message;
  // An Io error means nestlabd could not even be executed: no log to read.
  if (launched.is_error() && launched.error().code != ErrorCode::Io && !launch.log_path.empty())
    why += " (log: " + launch.log_path + ")";
  return make_error(ErrorCode::Unavailable,
                    "could not start nestlabd: " + why +
                        "; run it yourself with `nestlabd --foreground` to see why");
}

}  // namespace nestlab::client
