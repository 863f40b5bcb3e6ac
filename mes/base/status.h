#pragma once
// Status and Result<T>: errors the caller must handle, as values.
// Thread-compatible value types (no shared state).

#include <cassert>
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace cardline {

// The broad kind of a failure; callers branch on it, people read message().
enum class ErrorCode {
  kOk = 0,
  kInvalidArgument,   // the input is malformed (bad record, bad YAML, bad API call)
  kNotFound,          // the thing asked for does not exist
  kAlreadyExists,     // a unique key is taken
  kConflict,          // a conditional change lost the race, or the same key with other content
  kFailedPrecondition,// the system is not in a state that allows the operation
  kPermissionDenied,  // the caller may not do this
  kUnavailable,       // a service (database, device) cannot be reached now; retrying may help
  kDataLoss,          // stored data is damaged (bad checksum, failed decryption, broken chain)
  kInternal,          // a bug or an unexpected library failure
};

// Returns the stable lower-case name of code ("invalid_argument", ...).
const char* errorCodeName(ErrorCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(ErrorCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status ok() { return Status(); }
  bool isOk() const { return code_ == ErrorCode::kOk; }
  explicit operator bool() const { return isOk(); }
  ErrorCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // "code: message", or "ok".
  std::string toString() const;
  // Prefixes the message with context ("loading etc/cardline.yaml: ..."); no-op when OK.
  Status withContext(const std::string& context) const;

 private:
  ErrorCode code_ = ErrorCode::kOk;
  std::string message_;
};

inline Status invalidArgument(std::string m) { return {ErrorCode::kInvalidArgument, std::move(m)}; }
inline Status notFound(std::string m) { return {ErrorCode::kNotFound, std::move(m)}; }
inline Status alreadyExists(std::string m) { return {ErrorCode::kAlreadyExists, std::move(m)}; }
inline Status conflict(std::string m) { return {ErrorCode::kConflict, std::move(m)}; }
inline Status failedPrecondition(std::string m) {
  return {ErrorCode::kFailedPrecondition, std::move(m)};
}
inline Status permissionDenied(std::string m) {
  return {ErrorCode::kPermissionDenied, std::move(m)};
}
inline Status unavailable(std::string m) { return {ErrorCode::kUnavailable, std::move(m)}; }
inline Status dataLoss(std::string m) { return {ErrorCode::kDataLoss, std::move(m)}; }
inline Status internalError(std::string m) { return {ErrorCode::kInternal, std::move(m)}; }

// Either a value or a non-OK Status. Accessing value() of an error is a bug (asserts).
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : state_(std::move(status)) {  // NOLINT: implicit by design
    assert(!std::get<Status>(state_).isOk() && "Result built from an OK status");
  }

  bool isOk() const { return std::holds_alternative<T>(state_); }
  explicit operator bool() const { return isOk(); }
  const Status& status() const {
    static const Status kOk;
    return isOk() ? kOk : std::get<Status>(state_);
  }
  T& value() & { return std::get<T>(state_); }
  const T& value() const& { return std::get<T>(state_); }
  T&& value() && { return std::get<T>(std::move(state_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> state_;
};

}  // namespace cardline

// Returns the Status of expr from the enclosing function when it is not OK.
// The local's name carries the line number, so nested uses (inside a lambda passed to an
// outer use) do not shadow each other.
#define CARDLINE_CONCAT_INNER_(a, b) a##b
#define CARDLINE_CONCAT_(a, b) CARDLINE_CONCAT_INNER_(a, b)
#define CARDLINE_RETURN_IF_ERROR(expr)                                                        \
  do {                                                                                        \
    ::cardline::Status CARDLINE_CONCAT_(cardline_status_, __LINE__) = (expr);                 \
    if (!CARDLINE_CONCAT_(cardline_status_, __LINE__).isOk())                                 \
      return CARDLINE_CONCAT_(cardline_status_, __LINE__);                                    \
  } while (0)
// CARDLINE_ASSIGN_OR_RETURN(auto x, resultExpr): binds the value or returns the error.
#define CARDLINE_ASSIGN_OR_RETURN(decl, expr)                                   \
  auto CARDLINE_CONCAT_(cardline_result_, __LINE__) = (expr);                   \
  if (!CARDLINE_CONCAT_(cardline_result_, __LINE__).isOk())                     \
    return CARDLINE_CONCAT_(cardline_result_, __LINE__).status();               \
  decl = std::move(CARDLINE_CONCAT_(cardline_result_, __LINE__)).value()
