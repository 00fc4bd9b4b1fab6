// Plain-text tables for terminals: a header row, columns padded to their
// widest cell, two spaces between columns, no trailing blanks.
#pragma once

#include <span>
#include <string>
#include <vector>

namespace nestlab::cli {

enum class Align { Left, Right };

struct Column {
  std::string header;
  Align align = Align::Left;
};

using Row = std::vector<std::string>;

// Rows shorter than the header are padded with empty cells. Widths count
// bytes, which is right for the ASCII this CLI prints.
std::string format_table(std::span<const Column> columns, std::span<const Row> rows);

}  // namespace nestlab::cli
