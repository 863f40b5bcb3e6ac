#pragma once
// Builds the Document Signer the configuration names (signer.backend): the key-file signer
// over <data_dir>/pki, or the PKCS#11 signer over the token in signer.pkcs11. The one place
// where `serve`, `demo`, `bench` and `prepare` get their Signer.

#include <memory>
#include <string>

#include "mes/base/clock.h"
#include "mes/base/status.h"
#include "mes/config/config.h"
#include "mes/core/signer.h"
#include "mes/security/pkcs11/pkcs11_token.h"

namespace cardline::app {

// The PIN of signer.pkcs11: the first line of pin_file (relative = under data_dir) when set,
// else the environment variable pin_env. kNotFound naming the file or variable when neither
// yields a PIN, kInvalidArgument when the PIN is empty.
Result<std::string> readTokenPin(const Config& config);

// Opens the token of signer.pkcs11 (module, label, PIN as above). Errors of Pkcs11Token::open,
// with the configuration file named.
Result<std::unique_ptr<Pkcs11Token>> openConfiguredToken(const Config& config);

// The configured Document Signer. For pkcs11 the returned signer owns its token. The clock must
// outlive it. Errors name what to do (`cardline pki init`, `cardline pki generate-key`).
Result<std::unique_ptr<Signer>> openConfiguredSigner(const Config& config, const Clock& clock);

}  // namespace cardline::app
