#include "console/table.h"

#include <algorithm>

namespace nestlab::cli {

std::string format_table(std::span<const Column> columns, std::span<const Row> rows) {
  std::vector<size_t> width(columns.size());
  for (size_t c = 0; c < columns.size(); ++c) width[c] = columns[c].header.size();
  for (const auto& row : rows)
    for (size_t c = 0; c < columns.size() && c < row.size(); ++c)
      width[c] = std::max(width[c], row[c].size());

  auto emit = [&](std::string& out, auto cell_at) {
    std::string line;
    for (size_t c = 0; c < columns.size(); ++c) {
      const std::string& cell = cell_at(c);
      std::string pad(width[c] - cell.size(), ' ');
      if (c > 0) line += "  ";
      line += columns[c].align == Align::Right ? pad + cell : cell + pad;
    }
    line.erase(line.find_last_not_of(' ') + 1);
    out += line + "\n";
  };

  std::string out;
  emit(out, [&](size_t c) -> const std::string& { return columns[c].header; });
  static const std::string kEmpty;
  for (const auto& row : rows)
    emit(out, [&](size_t c) -> const std::string& { return c < row.size() ? row[c] : kEmpty; });
  return out;
}

}  // namespace nestlab::cli
