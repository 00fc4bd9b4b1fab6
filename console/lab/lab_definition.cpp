#include "console/lab/lab_definition.h"

#include <fstream>
#include <set>
#include <sstream>

#include <toml++/toml.h>

#include "console/lab/marker.h"
#include "console/lab/pattern.h"
#include "console/lab/placeholders.h"
#include "console/lab/trace_match.h"
#include "console/size.h"
#include "vhv/common/esr.h"
#include "vhv/common/guestinfo.h"

namespace nestlab::lab {

namespace {

// Where an error is: "labs/01-boot/lab.toml:12: steps[2].kind". Every check
// below reports through one Context so the messages read alike.
class Context {
 public:
  Context(std::string_view file, std::string where) : m_file(file), m_where(std::move(where)) {}

  Context at(std::string_view key) const {
    return Context(m_file, m_where.empty() ? std::string(key) : m_where + "." + std::string(key));
  }
  Context index(size_t i) const { return Context(m_file, m_where + "[" + std::to_string(i) + "]"); }

  Err<Error> error(const std::string& what, const toml::node* node = nullptr) const {
    std::string text(m_file);
    if (node && node->source().begin.line > 0)
      text += ":" + std::to_string(node->source().begin.line);
    text += ": ";
    if (!m_where.empty()) text += m_where + ": ";
    return make_error(ErrorCode::InvalidArgument, text + what);
  }
  const std::string& where() const { return m_where; }

 private:
  std::string_view m_file;
  std::string m_where;
};

const char* type_name(toml::node_type t) {
  switch (t) {
    case toml::node_type::string: return "a string";
    case toml::node_type::integer: return "an integer";
    case toml::node_type::floating_point: return "a number";
    case toml::node_type::boolean: return "true or false";
    case toml::node_type::array: return "an array";
    case toml::node_type::table: return "a table";
    default: return "a date or time";
  }
}

// The keys a table may hold; anything else is a typo worth stopping for.
HostResult<void> check_keys(const toml::table& table, const Context& ctx,
                            std::initializer_list<std::string_view> known) {
  for (auto&& [key, node] : table) {
    bool ok = false;
    for (auto k : known) ok = ok || key.str() == k;
    if (ok) continue;
    std::string list;
    for (auto k : known) list += (list.empty() ? "" : ", ") + std::string(k);
    return ctx.at(key.str()).error("unknown key (known here: " + list + ")", &node);
  }
  return {};
}

const toml::node* find(const toml::table& t, std::string_view key) { return t.get(key); }

HostResult<std::optional<std::string>> opt_string(const toml::table& t, const Context& ctx,
                                                  std::string_view key) {
  const toml::node* n = find(t, key);
  if (!n) return std::optional<std::string>{};
  if (!n->is_string())
    return ctx.at(key).error(std::string("must be a string, not ") + type_name(n->type()), n);
  return std::optional<std::string>{n->as_string()->get()};
}

HostResult<std::string> req_string(const toml::table& t, const Context& ctx, std::string_view key,
                                   const toml::node* owner) {
  auto v = TRY(opt_string(t, ctx, key));
  if (!v) return ctx.at(key).error("missing (a string is required here)", owner);
  return *v;
}

HostResult<std::optional<int64_t>> opt_int(const toml::table& t, const Context& ctx,
                                           std::string_view key, int64_t min, int64_t max) {
  const toml::node* n = find(t, key);
  if (!n) return std::optional<int64_t>{};
  if (!n->is_integer())
    return ctx.at(key).error(std::string("must be an integer, not ") + type_name(n->type()), n);
  int64_t v = n->as_integer()->get();
  if (v < min || v > max)
    return ctx.at(key).error(std::to_string(v) + " is out of range (" + std::to_string(min) + ".." +
                                 std::to_string(max) + ")",
                             n);
  return std::optional<int64_t>{v};
}

HostResult<std::optional<bool>> opt_bool(const toml::table& t, const Context& ctx,
                                         std::string_view key) {
  const toml::node* n = find(t, key);
  if (!n) return std::optional<bool>{};
  if (!n->is_boolean())
    return ctx.at(key).error(std::string("must be true or false, not ") + type_name(n->type()), n);
  return std::optional<bool>{n->as_boolean()->get()};
}

HostResult<void> check_placeholders(const std::string& text, const Context& ctx,
                                    const toml::node* n) {
  auto r = check_placeholder_names(text);
  if (r.is_error()) return ctx.error(r.error().message, n);
  return {};
}

bool known_exit_class(const std::string& name) {
  for (unsigned ec = 0; ec < kExceptionClassCount; ++ec)
    if (name == exception_class_name(static_cast<ExceptionClass>(ec)) && name != "UNALLOCATED")
      return true;
  return false;
}

HostResult<StepKind> parse_kind(const std::string& text, const Context& ctx, const toml::node* n) {
  static constexpr StepKind kAll[] = {StepKind::Expect,  StepKind::Send,      StepKind::Mark,
                                      StepKind::Counter, StepKind::GuestInfo, StepKind::Exit,
                                      StepKind::Trace,   StepKind::Share};
  std::string list;
  for (StepKind k : kAll) {
    if (text == step_kind_name(k)) return k;
    list += (list.empty() ? "" : ", ") + std::string(step_kind_name(k));
  }
  return ctx.error("unknown kind \"" + text + "\" (known: " + list + ")", n);
}

// counter and trace: `class` and the [min, max] range of the count.
HostResult<void> parse_class_and_range(const toml::table& t, const Context& ctx, Step& s) {
  s.exit_class = TRY(req_string(t, ctx, "class", &t));
  if (!known_exit_class(s.exit_class))
    return ctx.at("class").error("unknown exit class \"" + s.exit_class +
                                     "\" (use a name `nestlab vm stats` shows, e.g. HVC64, "
                                     "DABT_LOW, SYS64, BRK64, WFx)",
                                 find(t, "class"));
  auto min = TRY(opt_int(t, ctx, "min", 0, INT64_MAX));
  auto max = TRY(opt_int(t, ctx, "max", 0, INT64_MAX));
  if (!min && !max)
    return ctx.error(std::string("a ") + step_kind_name(s.kind) + " step needs min, max or both",
                     &t);
  if (min) s.min = static_cast<uint64_t>(*min);
  if (max) s.max = static_cast<uint64_t>(*max);
  if (min && max && *min > *max)
    return ctx.error("min " + std::to_string(*min) + " is greater than max " + std::to_string(*max),
                     &t);
  return {};
}

// trace: which records count (trace_match.h).
HostResult<void> parse_trace_filter(const toml::table& t, const Context& ctx, Step& s) {
  auto iss = TRY(opt_int(t, ctx, "iss", 0, 0x1ff'ffff));
  auto iss_mask = TRY(opt_int(t, ctx, "iss_mask", 0, 0x1ff'ffff));
  auto sysreg = TRY(opt_string(t, ctx, "sysreg"));
  auto access = TRY(opt_string(t, ctx, "access"));
  if (iss_mask && !iss) return ctx.at("iss_mask").error("needs iss", find(t, "iss_mask"));
  IssMatch m{0, 0};
  if (iss)
    m = {static_cast<uint32_t>(*iss),
         iss_mask ? static_cast<uint32_t>(*iss_mask) : static_cast<uint32_t>(0x1ff'ffff)};
  if (sysreg) {
    if (iss) return ctx.at("sysreg").error("give iss or sysreg, not both", find(t, "sysreg"));
    if (s.exit_class != "SYS64")
      return ctx.at("sysreg").error("only for class SYS64", find(t, "sysreg"));
    auto r = sysreg_iss(*sysreg);
    if (!r)
      return ctx.at("sysreg").error("\"" + *sysreg +
                                        "\" is not a system register (S<op0>_<op1>_C<n>_C<m>_<op2>"
                                        " or CNTPCT_EL0, CNTVCT_EL0, CNTFRQ_EL0, MDCCSR_EL0)",
                                    find(t, "sysreg"));
    m = *r;
  }
  if (access) {
    auto a = access_iss(s.exit_class, *access);
    if (!a)
      return ctx.at("access").error(
          "must be \"read\" or \"write\", and only for class DABT_LOW or SYS64", find(t, "access"));
    m.value = (m.value & ~a->mask) | a->value;
    m.mask |= a->mask;
  }
  if (iss || sysreg || access) {
    s.iss = m.value & m.mask;
    s.iss_mask = m.mask;
  }
  if (const toml::node* n = find(t, "detail"); n && n->is_array()) {
    const toml::array& a = *n->as_array();
    bool ok = a.size() == 2 && a.get(0)->is_integer() && a.get(1)->is_integer();
    const int64_t lo = ok ? a.get(0)->as_integer()->get() : 0;
    const int64_t hi = ok ? a.get(1)->as_integer()->get() : 0;
    if (!ok || lo < 0 || lo > hi || hi > 0xffff)
      return ctx.at("detail").error("must be a number or [LO, HI] with 0 <= LO <= HI <= 0xffff", n);
    s.detail_lo = static_cast<uint16_t>(lo);
    s.detail_hi = static_cast<uint16_t>(hi);
  } else if (auto d = TRY(opt_int(t, ctx, "detail", 0, 0xffff))) {
    s.detail_lo = s.detail_hi = static_cast<uint16_t>(*d);
  }
  s.result = TRY(opt_string(t, ctx, "result")).value_or("");
  if (!s.result.empty() && !known_trace_result(s.result))
    return ctx.at("result").error(
        "unknown result \"" + s.result + "\" (known: advance, resume, reboot, stop, irq)",
        find(t, "result"));
  s.min_span_ms = TRY(opt_int(t, ctx, "min_span_ms", 0, 3'600'000));
  return {};
}

HostResult<Step> parse_step(const toml::table& t, const Context& ctx) {
  Step s;
  s.name = TRY(req_string(t, ctx, "name", &t));
  std::string kind = TRY(req_string(t, ctx, "kind", &t));
  s.kind = TRY(parse_kind(kind, ctx.at("kind"), find(t, "kind")));
  s.points = TRY(opt_int(t, ctx, "points", 0, 1000000)).value_or(0);
  s.fatal = TRY(opt_bool(t, ctx, "fatal")).value_or(false);
  auto timeout = [&]() -> HostResult<void> {
    s.timeout_guest_ms = TRY(opt_int(t, ctx, "timeout_guest_ms", 1, 3'600'000));
    return {};
  };
  switch (s.kind) {
    case StepKind::Expect:
      TRY(check_keys(t, ctx,
                     {"name", "kind", "points", "fatal", "pattern", "regex", "timeout_guest_ms"}));
      s.pattern = TRY(req_string(t, ctx, "pattern", &t));
      if (s.pattern.empty())
        return ctx.at("pattern").error("must not be empty", find(t, "pattern"));
      TRY(check_placeholders(s.pattern, ctx.at("pattern"), find(t, "pattern")));
      s.regex = TRY(opt_bool(t, ctx, "regex")).value_or(false);
      if (s.regex) {
        auto r = check_regex(s.pattern);
        if (r.is_error()) return ctx.at("pattern").error(r.error().message, find(t, "pattern"));
      }
      TRY(timeout());
      break;
    case StepKind::Send: {
      TRY(check_keys(t, ctx, {"name", "kind", "points", "fatal", "input"}));
      std::string raw = TRY(req_string(t, ctx, "input", &t));
      auto decoded = decode_escapes(raw);
      if (decoded.is_error())
        return ctx.at("input").error(decoded.error().message, find(t, "input"));
      s.input = decoded.release_value();
      if (s.input.empty()) return ctx.at("input").error("must not be empty", find(t, "input"));
      TRY(check_placeholders(s.input, ctx.at("input"), find(t, "input")));
      break;
    }
    case StepKind::Mark:
      TRY(check_keys(t, ctx, {"name", "kind", "points", "fatal", "mark", "timeout_guest_ms"}));
      // The marker's name is the step's name unless `mark` names it apart.
      s.mark = TRY(opt_string(t, ctx, "mark")).value_or(s.name);
      if (!valid_marker_name(s.mark))
        return ctx.at(find(t, "mark") ? "mark" : "name")
            .error(
                "\"" + s.mark + "\" is not a marker name (1 to 64 printable characters, no spaces)",
                find(t, "mark") ? find(t, "mark") : find(t, "name"));
      TRY(check_placeholders(s.mark, ctx.at(find(t, "mark") ? "mark" : "name"),
                             find(t, "mark") ? find(t, "mark") : find(t, "name")));
      TRY(timeout());
      break;
    case StepKind::Counter:
      TRY(check_keys(t, ctx, {"name", "kind", "points", "fatal", "class", "min", "max"}));
      TRY(parse_class_and_range(t, ctx, s));
      break;
    case StepKind::Trace:
      TRY(check_keys(t, ctx,
                     {"name", "kind", "points", "fatal", "class", "min", "max", "iss", "iss_mask",
                      "sysreg", "access", "detail", "result", "min_span_ms"}));
      TRY(parse_class_and_range(t, ctx, s));
      TRY(parse_trace_filter(t, ctx, s));
      break;
    case StepKind::GuestInfo:
      TRY(check_keys(t, ctx, {"name", "kind", "points", "fatal", "key", "value"}));
      s.key = TRY(req_string(t, ctx, "key", &t));
      if (!guestinfo::valid_key(s.key.data(), s.key.size()))
        return ctx.at("key").error("\"" + s.key +
                                       "\" is not a guestinfo key (1 to 31 characters of "
                                       "A-Z a-z 0-9 . _ -)",
                                   find(t, "key"));
      s.value = TRY(req_string(t, ctx, "value", &t));
      TRY(check_placeholders(s.value, ctx.at("value"), find(t, "value")));
      break;
    case StepKind::Share: {
      TRY(check_keys(t, ctx, {"name", "kind", "points", "fatal", "min", "max", "window_ms"}));
      s.share_min = TRY(opt_int(t, ctx, "min", 0, 100));
      s.share_max = TRY(opt_int(t, ctx, "max", 0, 100));
      if (!s.share_min && !s.share_max)
        return ctx.error("a share step needs min, max or both (percent)", &t);
      if (s.share_min && s.share_max && *s.share_min > *s.share_max)
        return ctx.error("min " + std::to_string(*s.share_min) + " is greater than max " +
                             std::to_string(*s.share_max),
                         &t);
      s.window_ms = TRY(opt_int(t, ctx, "window_ms", 100, 60'000)).value_or(1000);
      break;
    }
    case StepKind::Exit:
      TRY(check_keys(t, ctx, {"name", "kind", "points", "fatal", "code", "timeout_guest_ms"}));
      s.code = TRY(opt_int(t, ctx, "code", 0, 255)).value_or(0);
      TRY(timeout());
      break;
  }
  return s;
}

// [vm] mem_range = ["32M", "128M"] and pl011 = "virt" | "random": the
// platform facts a grade varies (docs/labs.md, "Varied platform").
HostResult<void> parse_platform(const toml::table& vm, const Context& ctx, LabDefinition& d) {
  if (const toml::node* n = find(vm, "mem_range")) {
    const toml::array* a = n->as_array();
    Context at = ctx.at("mem_range");
    if (!a || a->size() != 2 || !a->get(0)->is_string() || !a->get(1)->is_string())
      return at.error("must be two sizes, [\"MIN\", \"MAX\"]", n);
    auto lo = cli::parse_size(a->get(0)->as_string()->get());
    auto hi = cli::parse_size(a->get(1)->as_string()->get());
    if (lo.is_error()) return at.error(lo.error().message, n);
    if (hi.is_error()) return at.error(hi.error().message, n);
    constexpr uint64_t k2M = 2ull << 20;
    if (lo.value() % k2M || hi.value() % k2M || lo.value() < 16 * k2M || lo.value() > hi.value() ||
        hi.value() > (1ull << 30))
      return at.error("must be multiples of 2 MiB, 32 MiB <= MIN <= MAX <= 1 GiB", n);
    d.mem_min = lo.value();
    d.mem_max = hi.value();
  }
  std::string pl011 = TRY(opt_string(vm, ctx, "pl011")).value_or("virt");
  if (pl011 != "virt" && pl011 != "random")
    return ctx.at("pl011").error("must be \"virt\" (0x09000000) or \"random\"", find(vm, "pl011"));
  d.random_pl011 = pl011 == "random";
  return {};
}

HostResult<LabDefinition> parse_root(const toml::table& root, std::string_view file) {
  Context top(file, "");
  LabDefinition d;
  TRY(check_keys(
      root, top,
      {"id", "title", "summary", "kind", "guest", "files", "vm", "competitor", "limits", "steps"}));
  d.id = TRY(req_string(root, top, "id", nullptr));
  d.title = TRY(req_string(root, top, "title", nullptr));
  d.summary = TRY(opt_string(root, top, "summary")).value_or("");
  const std::string kind = TRY(opt_string(root, top, "kind")).value_or("guest");
  if (kind != "guest" && kind != "hypervisor")
    return top.at("kind").error("must be \"guest\" or \"hypervisor\"", find(root, "kind"));
  d.kind = kind == "hypervisor" ? LabKind::Hypervisor : LabKind::Guest;
  d.guest = TRY(opt_string(root, top, "guest")).value_or("");
  if (d.kind == LabKind::Hypervisor) {
    if (d.guest.empty() || d.guest.find('/') != std::string::npos || d.guest.starts_with("."))
      return top.at("guest").error(
          "a hypervisor lab names its grading guest (a file in labs-built/hyp-guests)",
          find(root, "guest"));
  } else if (!d.guest.empty()) {
    return top.at("guest").error("only a hypervisor lab has a grading guest", find(root, "guest"));
  }
  if (const toml::node* files = find(root, "files")) {
    const toml::array* a = files->as_array();
    if (!a) return top.at("files").error("must be an array of file names", files);
    for (size_t i = 0; i < a->size(); ++i) {
      const toml::node& f = *a->get(i);
      if (!f.is_string()) return top.at("files").index(i).error("must be a string", &f);
      std::string name = f.as_string()->get();
      if (name.empty() || name.find('/') != std::string::npos || name.starts_with("."))
        return top.at("files").index(i).error("\"" + name + "\" is not a plain file name", &f);
      d.files.push_back(name);
    }
  }

  if (const toml::node* vm_node = find(root, "vm")) {
    const toml::table* vm = vm_node->as_table();
    Context ctx = top.at("vm");
    if (!vm) return ctx.error("must be a table ([vm])", vm_node);
    TRY(check_keys(*vm, ctx, {"mem", "mem_range", "pl011", "smp", "append", "weight"}));
    d.weight = static_cast<uint32_t>(TRY(opt_int(*vm, ctx, "weight", 1, 10000)).value_or(1));
    if (auto mem = TRY(opt_string(*vm, ctx, "mem"))) {
      auto bytes = cli::parse_size(*mem);
      if (bytes.is_error()) return ctx.at("mem").error(bytes.error().message, find(*vm, "mem"));
      d.mem = bytes.value();
    }
    TRY(parse_platform(*vm, ctx, d));
    d.smp = static_cast<unsigned>(TRY(opt_int(*vm, ctx, "smp", 1, 8)).value_or(1));
    d.append = TRY(opt_string(*vm, ctx, "append")).value_or("");
    TRY(check_placeholders(d.append, ctx.at("append"), find(*vm, "append")));
  }
  if (const toml::node* c_node = find(root, "competitor")) {
    const toml::table* c = c_node->as_table();
    Context ctx = top.at("competitor");
    if (!c) return ctx.error("must be a table ([competitor])", c_node);
    TRY(check_keys(*c, ctx, {"weight", "append"}));
    d.competitor = true;
    d.competitor_weight =
        static_cast<uint32_t>(TRY(opt_int(*c, ctx, "weight", 1, 10000)).value_or(1));
    d.competitor_append = TRY(opt_string(*c, ctx, "append")).value_or("");
    TRY(check_placeholders(d.competitor_append, ctx.at("append"), find(*c, "append")));
  }
  if (const toml::node* lim_node = find(root, "limits")) {
    const toml::table* lim = lim_node->as_table();
    Context ctx = top.at("limits");
    if (!lim) return ctx.error("must be a table ([limits])", lim_node);
    TRY(check_keys(*lim, ctx, {"guest_ms", "wall_cap_s"}));
    d.guest_ms = TRY(opt_int(*lim, ctx, "guest_ms", 1, 3'600'000)).value_or(d.guest_ms);
    d.wall_cap_s = TRY(opt_int(*lim, ctx, "wall_cap_s", 1, 3600)).value_or(d.wall_cap_s);
  }

  const toml::node* steps_node = find(root, "steps");
  if (!steps_node) return top.at("steps").error("missing (a lab needs at least one [[steps]])");
  const toml::array* steps = steps_node->as_array();
  if (!steps || steps->empty())
    return top.at("steps").error("must be a non-empty array of tables ([[steps]])", steps_node);
  std::set<std::string> names;
  for (size_t i = 0; i < steps->size(); ++i) {
    const toml::node& n = *steps->get(i);
    Context ctx = top.at("steps").index(i);
    const toml::table* t = n.as_table();
    if (!t) return ctx.error("must be a table ([[steps]])", &n);
    Step s = TRY(parse_step(*t, ctx));
    if (!names.insert(s.name).second)
      return ctx.at("name").error("\"" + s.name + "\" is used by an earlier step", t);
    if (s.kind == StepKind::Share && !d.competitor)
      return ctx.at("kind").error("a share step needs a [competitor] to share the CPU with", t);
    d.steps.push_back(std::move(s));
  }
  return d;
}

}  // namespace

const char* step_kind_name(StepKind kind) {
  switch (kind) {
    case StepKind::Expect: return "expect";
    case StepKind::Send: return "send";
    case StepKind::Mark: return "mark";
    case StepKind::Counter: return "counter";
    case StepKind::GuestInfo: return "guestinfo";
    case StepKind::Exit: return "exit";
    case StepKind::Trace: return "trace";
    case StepKind::Share: return "share";
  }
  return "?";
}

const char* lab_kind_name(LabKind kind) {
  return kind == LabKind::Hypervisor ? "hypervisor" : "guest";
}

int64_t LabDefinition::max_points() const {
  int64_t sum = 0;
  for (const auto& s : steps) sum += s.points;
  return sum;
}

HostResult<LabDefinition> parse_lab_definition(std::string_view toml_text, std::string_view file) {
  toml::table root;
  try {
    root = toml::parse(toml_text, file);
  } catch (const toml::parse_error& e) {
    return make_error(ErrorCode::InvalidArgument,
                      std::string(file) + ":" + std::to_string(e.source().begin.line) +
                          ": not valid TOML: " + std::string(e.description()));
  }
  return parse_root(root, file);
}

HostResult<LabDefinition> load_lab_definition(const std::string& dir) {
  std::string path = dir + "/lab.toml";
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(ErrorCode::NotFound, path + ": cannot read (no lab.toml here)");
  std::ostringstream text;
  text << in.rdbuf();
  LabDefinition d = TRY(parse_lab_definition(text.str(), path));
  std::string folder = dir;
  while (folder.size() > 1 && folder.back() == '/') folder.pop_back();
  folder = folder.substr(folder.find_last_of('/') + 1);
  if (d.id != folder)
    return make_error(
        ErrorCode::InvalidArgument,
        path + ": id: \"" + d.id + "\" does not match the lab's folder \"" + folder + "\"");
  d.path = path;
  d.dir = dir;
  return d;
}

}  // namespace nestlab::lab
