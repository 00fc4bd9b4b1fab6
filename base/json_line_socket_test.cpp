#include "base/json_line_socket.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <gtest/gtest.h>

#include <cstring>

namespace nestlab {
namespace {

struct Pair {
  UniqueFd a, b;
};
Pair make_pair() {
  int sv[2];
  EXPECT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
  return {UniqueFd(sv[0]), UniqueFd(sv[1])};
}

std::vector<Line> drain(LineReader& r, int fd) {
  std::vector<Line> out;
  auto st = r.read_some(fd);
  EXPECT_TRUE(st.is_ok());
  while (auto l = r.next_line()) out.push_back(std::move(*l));
  return out;
}

TEST(JsonLineSocket, SplitsLinesAndKeepsPartials) {
  auto p = make_pair();
  ASSERT_EQ(::write(p.a.get(), "one\ntw", 6), 6);
  LineReader r;
  auto lines = drain(r, p.b.get());
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].text, "one");
  EXPECT_TRUE(r.has_partial());
  ASSERT_EQ(::write(p.a.get(), "o\r\n", 3), 3);
  lines = drain(r, p.b.get());
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].text, "two");
}

TEST(JsonLineSocket, FdsArriveWithTheirLine) {
  auto p = make_pair();
  int pipefd[2];
  ASSERT_EQ(::pipe(pipefd), 0);
  UniqueFd r0(pipefd[0]), w0(pipefd[1]);
  ASSERT_TRUE(send_line(p.a.get(), "first").is_ok());
  int fds[] = {r0.get()};
  ASSERT_TRUE(send_line(p.a.get(), "second", fds).is_ok());
  LineReader r;
  std::vector<Line> lines;
  while (lines.size() < 2)
    for (auto& l : drain(r, p.b.get())) lines.push_back(std::move(l));
  EXPECT_TRUE(lines[0].fds.empty());
  ASSERT_EQ(lines[1].fds.size(), 1u);
  struct stat a, b;
  ASSERT_EQ(::fstat(lines[1].fds[0].get(), &a), 0);
  ASSERT_EQ(::fstat(r0.get(), &b), 0);
  EXPECT_EQ(a.st_ino, b.st_ino);
}

TEST(JsonLineSocket, FdsOnALineSentWhileAPartialLineIsBuffered) {
  auto p = make_pair();
  int pipefd[2];
  ASSERT_EQ(::pipe(pipefd), 0);
  UniqueFd r0(pipefd[0]), w0(pipefd[1]);
  LineReader r;
  ASSERT_EQ(::write(p.a.get(), "par", 3), 3);
  EXPECT_TRUE(drain(r, p.b.get()).empty());
  ASSERT_EQ(::write(p.a.get(), "tial\n", 5), 5);
  int fds[] = {r0.get()};
  ASSERT_TRUE(send_line(p.a.get(), "withfd", fds).is_ok());
  std::vector<Line> lines;
  while (lines.size() < 2)
    for (auto& l : drain(r, p.b.get())) lines.push_back(std::move(l));
  EXPECT_EQ(lines[0].text, "partial");
  EXPECT_TRUE(lines[0].fds.empty());
  EXPECT_EQ(lines[1].text, "withfd");
  EXPECT_EQ(lines[1].fds.size(), 1u);
}

TEST(JsonLineSocket, RefusesOverlongLine) {
  auto p = make_pair();
  LineReader r(16);
  ASSERT_EQ(::write(p.a.get(), "0123456789abcdefghij", 20), 20);
  auto st = r.read_some(p.b.get());
  ASSERT_TRUE(st.is_error());
  EXPECT_EQ(st.error().code, ErrorCode::InvalidArgument);
}

TEST(JsonLineSocket, ReportsEofAndWouldBlock) {
  auto p = make_pair();
  ::fcntl(p.b.get(), F_SETFL, O_NONBLOCK);
  LineReader r;
  auto st = r.read_some(p.b.get());
  ASSERT_TRUE(st.is_ok());
  EXPECT_EQ(st.value(), ReadStatus::WouldBlock);
  p.a.reset();
  auto st2 = r.read_some(p.b.get());
  ASSERT_TRUE(st2.is_ok());
  EXPECT_EQ(st2.value(), ReadStatus::Eof);
}

TEST(JsonLineSocket, WriteSomeSendsOwnedFdsOnce) {
  auto p = make_pair();
  int pipefd[2];
  ASSERT_EQ(::pipe(pipefd), 0);
  UniqueFd w0(pipefd[1]);
  OutgoingLine out{"hello\n", {}};
  out.fds.emplace_back(pipefd[0]);
  size_t sent = 0;
  auto st = write_some(p.a.get(), out, &sent);
  ASSERT_TRUE(st.is_ok());
  EXPECT_EQ(st.value(), WriteStatus::Done);
  EXPECT_TRUE(out.fds.empty());
  LineReader r;
  auto lines = drain(r, p.b.get());
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].fds.size(), 1u);
}

// A complete line over the cap is refused even when its newline comes in
// the same read as its last bytes, and the lines before it survive.
TEST(JsonLineSocket, ACompleteLineOverTheCapIsRefused) {
  auto p = make_pair();
  LineReader r(1000);
  std::string bytes = "short\n" + std::string(1100, 'x') + "\nafter\n";
  ASSERT_EQ(::write(p.a.get(), bytes.data(), bytes.size()), static_cast<ssize_t>(bytes.size()));
  auto st = r.read_some(p.b.get());
  ASSERT_TRUE(st.is_error());
  EXPECT_NE(st.error().message.find("longer than 1000"), std::string::npos);
  auto first = r.next_line();
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->text, "short");
  EXPECT_FALSE(r.next_line().has_value());  // neither the long line nor what follows
}

TEST(JsonLineSocket, HeldFdsAreCountedAndDiscarded) {
  auto p = make_pair();
  int pipefd[2];
  ASSERT_EQ(::pipe(pipefd), 0);
  UniqueFd r0(pipefd[0]), w0(pipefd[1]);
  int fds[] = {r0.get(), r0.get(), r0.get()};
  LineReader r;
  // Two sendmsg of one byte with fds each, no newline: the reader holds
  // them for the unfinished line.
  for (int i = 0; i < 2; ++i) {
    iovec iov{const_cast<char*>("{"), 1};
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof fds)];
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    cmsghdr* c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof fds);
    std::memcpy(CMSG_DATA(c), fds, sizeof fds);
    ASSERT_EQ(::sendmsg(p.a.get(), &msg, 0), 1);
    ASSERT_TRUE(r.read_some(p.b.get()).is_ok());
  }
  EXPECT_EQ(r.held_fds(), 6u);
  EXPECT_FALSE(r.next_line().has_value());
  r.discard();
  EXPECT_EQ(r.held_fds(), 0u);
  EXPECT_FALSE(r.has_partial());
}

}  // namespace
}  // namespace nestlab
