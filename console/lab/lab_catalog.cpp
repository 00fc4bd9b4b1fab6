#include "console/lab/lab_catalog.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <toml++/toml.h>

#include "console/client/places.h"

namespace nestlab::lab {

namespace fs = std::filesystem;

std::string labs_dir() {
  if (const char* d = std::getenv("NESTLAB_LABS_DIR"); d && *d) return d;
  return client::share_dir() + "/labs";
}

std::vector<std::string> list_lab_ids(const std::string& dir) {
  std::vector<std::string> ids;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    std::error_code ec2;
    if (entry.is_directory(ec2) && fs::exists(entry.path() / "lab.toml", ec2))
      ids.push_back(entry.path().filename().string());
  }
  std::sort(ids.begin(), ids.end());
  return ids;
}

HostResult<std::string> find_lab(const std::string& dir, const std::string& name) {
  std::vector<std::string> ids = list_lab_ids(dir);
  if (ids.empty())
    return make_error(ErrorCode::NotFound,
                      "no labs in " + dir + " (build nestlab, or set NESTLAB_LABS_DIR)");
  auto all_digits = [](const std::string& t) {
    return !t.empty() && t.size() <= 6 &&
           std::all_of(t.begin(), t.end(), [](unsigned char c) { return c >= '0' && c <= '9'; });
  };
  std::vector<std::string> hits;
  for (const auto& id : ids) {
    if (id == name) return dir + "/" + id;
    // A hypervisor lab (hyp-NN-name) is found by its id or its name; a bare
    // number means a guest lab, as it always has.
    const bool hypervisor_lab = id.starts_with("hyp-");
    const std::string base = hypervisor_lab ? id.substr(4) : id;
    size_t dash = base.find('-');
    std::string number = dash == std::string::npos ? "" : base.substr(0, dash);
    std::string rest = dash == std::string::npos ? base : base.substr(dash + 1);
    bool same_number = !hypervisor_lab && all_digits(name) && all_digits(number) &&
                       std::stoul(number) == std::stoul(name);
    if (rest == name || same_number) hits.push_back(id);
  }
  if (hits.size() == 1) return dir + "/" + hits[0];
  std::string known;
  for (const auto& id : ids) known += (known.empty() ? "" : ", ") + id;
  return make_error(ErrorCode::NotFound, "no lab \"" + name + "\" (labs: " + known + ")");
}

HostResult<std::string> student_dir_lab(const std::string& student_dir) {
  std::string path = student_dir + "/" + kLabMarkerFile;
  std::ifstream in(path);
  if (!in)
    return make_error(ErrorCode::NotFound, student_dir + " is not a lab directory (no " +
                                               kLabMarkerFile +
                                               "; create one with `nestlab lab init LAB DIR`)");
  std::ostringstream text;
  text << in.rdbuf();
  try {
    toml::table t = toml::parse(text.str(), path);
    auto id = t["lab"].value<std::string>();
    if (!id || id->empty())
      return make_error(ErrorCode::InvalidArgument, path + ": lab: missing (lab = \"<id>\")");
    return *id;
  } catch (const toml::parse_error& e) {
    return make_error(ErrorCode::InvalidArgument,
                      path + ":" + std::to_string(e.source().begin.line) +
                          ": not valid TOML: " + std::string(e.description()));
  }
}

HostResult<std::vector<std::string>> init_student_dir(const LabDefinition& lab,
                                                      const std::string& labs,
                                                      const std::string& target, bool reference) {
  std::error_code ec;
  const fs::path from = fs::path(lab.dir) / (reference ? "reference" : "starter");
  // A guest lab's runtime goes to common/, a hypervisor lab's skeleton to hyp/
  // (its grading guests stay out: they are the grader's).
  const bool hypervisor = lab.kind == LabKind::Hypervisor;
  const fs::path common = fs::path(labs) / (hypervisor ? "hyp" : "common");
  const std::string runtime_dir = hypervisor ? "hyp" : "common";
  const fs::path to(target);
  if (!fs::is_directory(from, ec))
    return make_error(ErrorCode::NotFound, from.string() + " is missing: the lab is incomplete");
  if (!fs::exists(common / "Makefile", ec))
    return make_error(ErrorCode::NotFound, (common / "Makefile").string() + " is missing");
  if (fs::exists(to, ec) && !(fs::is_directory(to, ec) && fs::is_empty(to, ec)))
    return make_error(ErrorCode::AlreadyExists,
                      target + " already exists and is not empty (choose a new directory)");
  fs::create_directories(to, ec);
  if (ec) return make_error(ErrorCode::Io, "cannot create " + target + ": " + ec.message());

  std::vector<std::string> created;
  auto copy_tree = [&](const fs::path& src, const fs::path& dst) -> HostResult<void> {
    fs::copy(src, dst, fs::copy_options::recursive | fs::copy_options::overwrite_existing, ec);
    if (ec)
      return make_error(ErrorCode::Io, "cannot copy " + src.string() + " to " + dst.string() +
                                           ": " + ec.message());
    return {};
  };
  TRY(copy_tree(from, to));
  for (const auto& e : fs::directory_iterator(from, ec)) created.push_back(e.path().filename());
  TRY(copy_tree(common, to / runtime_dir));
  if (hypervisor) fs::remove_all(to / runtime_dir / "guests", ec);
  created.push_back(runtime_dir + "/");
  fs::copy_file(common / "Makefile", to / "Makefile", fs::copy_options::overwrite_existing, ec);
  if (ec) return make_error(ErrorCode::Io, "cannot copy the Makefile: " + ec.message());
  created.push_back("Makefile");
  std::ofstream marker(to / kLabMarkerFile);
  marker << "# Made by `nestlab lab init`; `nestlab lab grade` reads it.\nlab = \"" << lab.id
         << "\"\n";
  if (!marker) return make_error(ErrorCode::Io, "cannot write " + (to / kLabMarkerFile).string());
  created.push_back(kLabMarkerFile);
  std::sort(created.begin(), created.end());
  return created;
}

}  // namespace nestlab::lab
