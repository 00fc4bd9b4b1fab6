#include "kernel/rpc.h"

#include <gtest/gtest.h>

namespace nestlab::kernel {
namespace {

RpcError error_of(const std::string& line) {
  auto r = parse_request(line);
  EXPECT_TRUE(std::holds_alternative<RpcError>(r)) << line;
  return std::holds_alternative<RpcError>(r) ? std::get<RpcError>(r) : RpcError{};
}

TEST(Rpc, ParsesARequest) {
  auto r = parse_request(R"({"jsonrpc":"2.0","id":7,"method":"vhv.list"})");
  ASSERT_TRUE(std::holds_alternative<Request>(r));
  auto& req = std::get<Request>(r);
  EXPECT_EQ(req.method, "vhv.list");
  EXPECT_EQ(*req.id, 7);
  EXPECT_TRUE(req.params.is_object());
}

TEST(Rpc, NotificationHasNoId) {
  auto r = parse_request(R"({"jsonrpc":"2.0","method":"kernel.hello"})");
  ASSERT_TRUE(std::holds_alternative<Request>(r));
  EXPECT_FALSE(std::get<Request>(r).id.has_value());
}

TEST(Rpc, RefusesMalformedInput) {
  EXPECT_EQ(error_of("not json").code, kParseError);
  EXPECT_EQ(error_of("{\"jsonrpc\":\"2.0\",").code, kParseError);
  EXPECT_EQ(error_of("\xff\xfe").code, kParseError);
  EXPECT_EQ(error_of("[]").code, kInvalidRequest);
  EXPECT_EQ(error_of("42").code, kInvalidRequest);
  EXPECT_EQ(error_of(R"({"id":1,"method":"x"})").code, kInvalidRequest);  // no jsonrpc
  EXPECT_EQ(error_of(R"({"jsonrpc":"1.0","id":1,"method":"x"})").code, kInvalidRequest);
  EXPECT_EQ(error_of(R"({"jsonrpc":"2.0","id":1})").code, kInvalidRequest);  // no method
  EXPECT_EQ(error_of(R"({"jsonrpc":"2.0","id":1,"method":5})").code, kInvalidRequest);
  EXPECT_EQ(error_of(R"({"jsonrpc":"2.0","id":{},"method":"x"})").code, kInvalidRequest);
  RpcError e = error_of(R"({"jsonrpc":"2.0","id":3,"method":"x","params":[1]})");
  EXPECT_EQ(e.code, kInvalidParams);
  EXPECT_EQ(e.id, 3);  // the id is known, so the client can match the error
}

TEST(Rpc, MapsErrorsToCodes) {
  auto e = to_rpc_error(Error{ErrorCode::NotFound, "no VHV"}, 1);
  EXPECT_EQ(e.code, kApplicationError);
  EXPECT_EQ(*e.app_code, "not-found");
  EXPECT_EQ(to_rpc_error(Error{ErrorCode::Protocol, "bad"}, 1).code, kInvalidParams);
  json j = make_error_response(e);
  EXPECT_EQ(j["error"]["data"]["code"], "not-found");
  EXPECT_EQ(j["jsonrpc"], "2.0");
}

TEST(Rpc, SerialisesInvalidUtf8WithoutThrowing) {
  json j{{"text", std::string("\xff\xfe ok")}};
  EXPECT_NO_THROW((void)to_line(j));
}

}  // namespace
}  // namespace nestlab::kernel
