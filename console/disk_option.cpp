#include "console/disk_option.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace nestlab::cli {

HostResult<std::vector<DiskOption>> parse_disk_options(const std::vector<std::string>& words) {
  std::vector<DiskOption> disks;
  for (const std::string& word : words) {
    DiskOption d;
    d.path = word;
    // The only option after the file is ro, as QEMU's readonly=on; a
    // file whose name has a comma cannot be a disk (QEMU doubles it).
    if (auto comma = word.find(','); comma != std::string::npos) {
      const std::string rest = word.substr(comma + 1);
      if (rest != "ro")
        return make_error(ErrorCode::InvalidArgument,
                          "--disk " + word + ": unknown option '" + rest +
                              "' (expected --disk FILE or --disk FILE,ro)");
      d.path = word.substr(0, comma);
      d.read_only = true;
    }
    if (d.path.empty())
      return make_error(ErrorCode::InvalidArgument, "--disk: give the disk image's file name");
    disks.push_back(std::move(d));
  }
  if (disks.size() > kMaxDisks)
    return make_error(ErrorCode::InvalidArgument,
                      "--disk: at most " + std::to_string(kMaxDisks) + " disks per VM");
  return disks;
}

HostResult<nlohmann::json> open_disks(const std::vector<DiskOption>& disks, size_t first_fd,
                                      std::vector<int>& fds) {
  nlohmann::json list = nlohmann::json::array();
  std::vector<int> opened;
  for (const DiskOption& d : disks) {
    int fd = ::open(d.path.c_str(), (d.read_only ? O_RDONLY : O_RDWR) | O_CLOEXEC);
    if (fd < 0) {
      const int err = errno;
      for (int f : opened) ::close(f);
      return make_error(
          ErrorCode::InvalidArgument,
          "cannot open '" + d.path + "' as a disk: " + std::strerror(err) +
              (err == EACCES && !d.read_only ? " (add ,ro for a read-only disk)" : ""));
    }
    list.push_back({{"fd", first_fd + opened.size()},
                    {"ro", d.read_only},
                    {"name", std::filesystem::path(d.path).filename().string()}});
    opened.push_back(fd);
  }
  fds.insert(fds.end(), opened.begin(), opened.end());
  return list;
}

}  // namespace nestlab::cli
