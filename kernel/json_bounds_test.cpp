#include "kernel/json_bounds.h"

#include <gtest/gtest.h>

#include <chrono>
#include <variant>

#include "kernel/params.h"
#include "kernel/rpc.h"

namespace nestlab::kernel {
namespace {

using nlohmann::json;

std::string nested(size_t depth, const std::string& inner = "") {
  return std::string(depth, '[') + inner + std::string(depth, ']');
}

TEST(JsonBounds, DepthCountsBracketsOutsideStrings) {
  EXPECT_EQ(json_depth("1", 64), 0u);
  EXPECT_EQ(json_depth("{\"a\":[1,{\"b\":[]}]}", 64), 4u);
  EXPECT_EQ(json_depth("[\"[[[[\", \"\\\"[[[\"]", 64), 1u);  // brackets in strings, escapes
  EXPECT_EQ(json_depth("]]]][[", 64), 2u);                   // stray closers make nothing deeper
  EXPECT_EQ(json_depth(nested(65), 64), 65u);
  EXPECT_EQ(json_depth(nested(100000), 64), 65u);  // stops at limit + 1
}

TEST(JsonBounds, ParsesUpToTheBoundAndRefusesDeeper) {
  BoundedJson ok = parse_bounded_json(nested(64), 64);
  ASSERT_TRUE(ok.value.has_value()) << ok.error;
  BoundedJson deep = parse_bounded_json(nested(65), 64);
  EXPECT_FALSE(deep.value.has_value());
  EXPECT_TRUE(deep.too_deep);
  EXPECT_NE(deep.error.find("nested deeper than 64"), std::string::npos);
}

TEST(JsonBounds, SyntaxErrorsAreShortEvenForHugeTokens) {
  BoundedJson bad = parse_bounded_json("\"" + std::string(1 << 20, 'x'));  // no closing quote
  EXPECT_FALSE(bad.value.has_value());
  EXPECT_FALSE(bad.too_deep);
  EXPECT_NE(bad.error.find("not valid JSON"), std::string::npos);
  EXPECT_LT(bad.error.size(), 400u);
}

// The request that killed nestlabd: vhv.inspect with params nested 500,000
// deep in one 1 MB line. It is refused with -32600, quickly, without ever
// building (or copying, or dumping) the value.
TEST(JsonBounds, TheHalfMillionDeepRequestIsAnInvalidRequest) {
  std::string line =
      R"({"jsonrpc":"2.0","id":1,"method":"vhv.inspect","params":{"name":)" + nested(500000) + "}}";
  auto start = std::chrono::steady_clock::now();
  auto parsed = parse_request(line);
  auto took = std::chrono::steady_clock::now() - start;
  ASSERT_TRUE(std::holds_alternative<RpcError>(parsed));
  const auto& e = std::get<RpcError>(parsed);
  EXPECT_EQ(e.code, kInvalidRequest);
  EXPECT_NE(e.message.find("nested deeper than"), std::string::npos) << e.message;
  EXPECT_LT(took, std::chrono::seconds(1));
  EXPECT_LT(to_line(make_error_response(e)).size(), 300u);
}

TEST(JsonBounds, AllowedDepthStillWorksAsARequest) {
  std::string line =
      R"({"jsonrpc":"2.0","id":1,"method":"vhv.create","params":{"mem":)" + nested(60) + "}}";
  auto parsed = parse_request(line);
  ASSERT_TRUE(std::holds_alternative<Request>(parsed));
  // The error for the bad value quotes one level of it, not all of it.
  Params p(std::get<Request>(parsed).params, {"mem"});
  auto mem = p.optional_uint("mem", 0, 10);
  ASSERT_TRUE(mem.is_error());
  EXPECT_NE(mem.error().message.find("an array of 1 item"), std::string::npos)
      << mem.error().message;
}

TEST(JsonBounds, PreviewsAreShort) {
  EXPECT_EQ(json_preview(json(12)), "12");
  EXPECT_EQ(json_preview(json::array({1, 2})), "an array of 2 items");
  EXPECT_EQ(json_preview(json{{"a", 1}}), "an object of 1 key");
  std::string big(100000, 'q');
  EXPECT_LT(json_preview(json(big)).size(), 80u);
  EXPECT_NE(text_preview(big).find("(100000 bytes)"), std::string::npos);
  EXPECT_EQ(text_preview("abc"), "\"abc\"");
}

TEST(JsonBounds, RequestIdsAreBounded) {
  std::string line =
      R"({"jsonrpc":"2.0","method":"kernel.hello","id":")" + std::string(100000, 'i') + "\"}";
  auto parsed = parse_request(line);
  ASSERT_TRUE(std::holds_alternative<RpcError>(parsed));
  EXPECT_EQ(std::get<RpcError>(parsed).code, kInvalidRequest);
  EXPECT_TRUE(std::get<RpcError>(parsed).id.is_null());
}

}  // namespace
}  // namespace nestlab::kernel
