#include "mes/storage/sql_connection.h"

#include <charconv>

namespace cardline {

const char* name(Dialect dialect) {
  switch (dialect) {
    case Dialect::kSqlite:
      return "sqlite";
    case Dialect::kMysql:
      return "mysql";
  }
  return "?";
}

bool sqlIsNull(const SqlValue& value) { return std::holds_alternative<std::monostate>(value); }

Result<std::int64_t> sqlInt(const SqlValue& value) {
  if (const auto* i = std::get_if<std::int64_t>(&value)) return *i;
  if (const auto* d = std::get_if<double>(&value)) return static_cast<std::int64_t>(*d);
  if (const auto* s = std::get_if<std::string>(&value)) {
    std::int64_t out = 0;
    const auto [end, error] = std::from_chars(s->data(), s->data() + s->size(), out);
    if (error == std::errc() && end == s->data() + s->size()) return out;
    return internalError("column value \"" + *s + "\" is not an integer");
  }
  if (sqlIsNull(value)) return internalError("integer column is NULL");
  return internalError("binary column read as integer");
}

Result<std::string> sqlText(const SqlValue& value) {
  if (const auto* s = std::get_if<std::string>(&value)) return *s;
  if (const auto* b = std::get_if<Bytes>(&value)) return toString(*b);
  if (const auto* i = std::get_if<std::int64_t>(&value)) return std::to_string(*i);
  if (sqlIsNull(value)) return std::string();
  return internalError("real column read as text");
}

Result<Bytes> sqlBytes(const SqlValue& value) {
  if (const auto* b = std::get_if<Bytes>(&value)) return *b;
  if (const auto* s = std::get_if<std::string>(&value)) return toBytes(*s);
  if (sqlIsNull(value)) return Bytes{};
  return internalError("numeric column read as bytes");
}

std::string multiRowInsert(const std::string& prefix, const std::string& row, std::size_t rows,
                           const std::string& suffix) {
  std::string sql = prefix;
  sql.reserve(prefix.size() + rows * (row.size() + 2) + suffix.size() + 1);
  for (std::size_t i = 0; i < rows; ++i) {
    if (i > 0) sql += ", ";
    sql += row;
  }
  if (!suffix.empty()) sql += " " + suffix;
  return sql;
}

std::size_t multiRowChunk(std::size_t remaining) {
  for (std::size_t size : {std::size_t{64}, std::size_t{16}, std::size_t{4}}) {
    if (remaining >= size) return size;
  }
  return 1;
}

}  // namespace cardline
