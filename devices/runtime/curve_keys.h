#pragma once
// CURVE key pairs as Z85 text (ZeroMQ RFC 32): generation and key files (PROTOCOL.md §10).
// Used by the device runtime and by the MES (mes/devlink).
//
// Key file format (PROTOCOL.md §10): UTF-8 text; lines "public-key = <40 Z85 chars>" and, in a
// secret file only, "secret-key = <40 Z85 chars>"; blank lines and lines starting with '#' are
// ignored. `NAME.key` holds the public key (shareable), `NAME.key_secret` both (mode 0600).

#include <string>

#include "mes/base/status.h"

namespace cardline {

struct CurveKeyPair {
  std::string public_key;  // 40 Z85 characters
  std::string secret_key;  // 40 Z85 characters; empty when only the public half is known
};

// A fresh key pair from libzmq (zmq_curve_keypair). Fails with kUnavailable when libzmq was
// built without CURVE.
Result<CurveKeyPair> generateCurveKeyPair();

// True when text is 40 characters of the Z85 alphabet decoding to 32 bytes.
bool isZ85Key(const std::string& text);

// Writes dir/NAME.key (public) and dir/NAME.key_secret (both halves, mode 0600), creating dir.
// Fails with kAlreadyExists when either file exists, kUnavailable on an I/O error,
// kInvalidArgument when a key is not Z85 or name is not [A-Za-z0-9._-]+.
Status writeKeyFiles(const std::string& dir, const std::string& name, const CurveKeyPair& pair);

// Reads a key file (either kind). Fails with kNotFound when the file does not exist,
// kInvalidArgument ("path:line: message") when a line is malformed or a key is not Z85 or the
// public key is missing.
Result<CurveKeyPair> readKeyFile(const std::string& path);

// A public key given either as a key file or as the 40 Z85 characters themselves (the
// `--server-key FILE|Z85` of cardline-device). An existing file always wins: a path can be 40
// characters of the Z85 alphabet ("/tmp/cardline-mspeed.FIXD/b/keys/mes.key" is), and reading
// it as a key made every device of such a data directory talk to a MES that does not exist.
// Fails like readKeyFile for a file; with kInvalidArgument when `text` is neither a readable
// file nor a Z85 key.
Result<std::string> publicKeyFrom(const std::string& text);

}  // namespace cardline
