// Line editing for the monitor prompt, the keys a shell user expects:
// printable keys insert at the cursor; Backspace/DEL and Delete (ESC [ 3 ~)
// erase; Left/Right (ESC [ D / C), Home/End (Ctrl-A/E, ESC [ H / F) move;
// Ctrl-U kills the line; Ctrl-C abandons it; Ctrl-L redraws; Up/Down
// (ESC [ A / B) walk a 16-entry history. A key appended at the end of the
// line is echoed as itself, so typing costs one byte of output per key.
#pragma once

namespace monitor {

class LineEditor {
 public:
  static constexpr unsigned kMaxLine = 120;
  static constexpr unsigned kHistory = 16;

  explicit LineEditor(const char* prompt) : m_prompt(prompt) {}

  // Shows the prompt and edits until Enter; returns the line (NUL-ended,
  // valid until the next call).
  const char* read_line();
  // Records a line as if typed (scripted commands) and returns it.
  void remember(const char* line);
  unsigned history_size() const { return m_history_count; }
  const char* history_entry(unsigned i) const;  // 0 = oldest

 private:
  enum class Escape { None, Esc, Csi };
  bool key(int k);  // true when the line is complete
  void insert(char c);
  void erase_before();
  void erase_at();
  void set_line(const char* text);
  void redraw();
  void recall(int direction);

  const char* m_prompt;
  char m_line[kMaxLine + 1] = {};
  unsigned m_len = 0;
  unsigned m_cursor = 0;  // invariant: <= m_len
  Escape m_escape = Escape::None;
  char m_csi_arg = 0;
  bool m_after_cr = false;  // the previous key was CR
  char m_history[kHistory][kMaxLine + 1] = {};
  unsigned m_history_count = 0;  // entries used, <= kHistory
  unsigned m_history_next = 0;   // ring slot of the next entry
  int m_browse = -1;             // how far back Up has gone, -1 = editing
};

}  // namespace monitor
