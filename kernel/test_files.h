// Files for the kernel's unit tests: a temporary folder that goes away with
// the test, and a whole file read back.
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

namespace nestlab::kernel::test_files {

class TempDir {
 public:
  explicit TempDir(const char* tag = "files") {
    std::string tmpl = std::string("/tmp/nestlab-") + tag + "-test-XXXXXX";
    m_path = ::mkdtemp(tmpl.data()) ? tmpl : std::string();
  }
  ~TempDir() {
    if (!m_path.empty()) std::filesystem::remove_all(m_path);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return m_path; }

 private:
  std::string m_path;
};

inline std::string read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(f), {});
}

}  // namespace nestlab::kernel::test_files
