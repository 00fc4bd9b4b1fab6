// Writing the report files into a student directory the student controls
// (docs/labs.md, "What a student's program and Makefile can do"): nothing
// here follows a link the student planted, so `grade/report.json ->
// /etc/something` makes the grader replace the link, never write through it.
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "base/unique_fd.h"
#include "console/lab/report_writers.h"

namespace nestlab::lab {

namespace {

constexpr const char* kGradeDir = "grade";

Err<Error> io_error(const std::string& what) {
  return make_error(ErrorCode::Io, what + ": " + std::strerror(errno));
}

HostResult<void> write_file(int dir_fd, const std::string& dir, const ReportFile& f) {
  // O_EXCL in a directory made a moment ago: nothing of the student's is
  // there to be followed or truncated; O_NOFOLLOW says so once more.
  UniqueFd fd(
      ::openat(dir_fd, f.name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644));
  if (!fd) return io_error("cannot create " + dir + "/" + f.name);
  size_t done = 0;
  while (done < f.text.size()) {
    ssize_t n = ::write(fd.get(), f.text.data() + done, f.text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return io_error("cannot write " + dir + "/" + f.name);
    done += static_cast<size_t>(n);
  }
  return {};
}

}  // namespace

HostResult<std::string> write_reports(const std::string& student_dir,
                                      const std::vector<ReportFile>& files) {
  namespace fs = std::filesystem;
  const std::string final_dir = student_dir + "/" + kGradeDir;
  UniqueFd parent(::open(student_dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!parent) return io_error("cannot open " + student_dir);
  // A fresh directory of our own beside the old reports (mkdtemp creates it,
  // so it cannot be a link), filled, then moved into place.
  std::string fresh = student_dir + "/.grade-new-XXXXXX";
  if (!::mkdtemp(fresh.data())) return io_error("cannot create a directory in " + student_dir);
  const std::string fresh_name = fresh.substr(student_dir.size() + 1);
  auto discard = [&] {
    std::error_code ec;
    fs::remove_all(fresh, ec);
  };
  UniqueFd dir(
      ::openat(parent.get(), fresh_name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!dir || ::fchmod(dir.get(), 0755) != 0) {
    auto e = io_error("cannot open " + fresh);
    discard();
    return e;
  }
  for (const auto& f : files) {
    if (auto w = write_file(dir.get(), final_dir, f); w.is_error()) {
      discard();
      return Err<Error>{w.release_error()};
    }
  }
  // Swap it with whatever `grade` is (a directory of old reports, a link,
  // a file) in one step, then remove the old one; remove_all deletes links
  // themselves, never what they point at.
  if (::renameat2(parent.get(), fresh_name.c_str(), parent.get(), kGradeDir, RENAME_EXCHANGE) ==
      0) {
    discard();  // `fresh` now names the old `grade`
    return final_dir;
  }
  if (errno != ENOENT && errno != EINVAL && errno != ENOSYS) {
    auto e = io_error("cannot replace " + final_dir);
    discard();
    return e;
  }
  // No `grade` yet (ENOENT), or a file system without RENAME_EXCHANGE.
  std::error_code ec;
  if (errno != ENOENT) fs::remove_all(final_dir, ec);
  if (::renameat(parent.get(), fresh_name.c_str(), parent.get(), kGradeDir) != 0) {
    auto e = io_error("cannot move the reports to " + final_dir);
    discard();
    return e;
  }
  return final_dir;
}

}  // namespace nestlab::lab
