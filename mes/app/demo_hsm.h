#pragma once
// `cardline demo --hsm`: the same line with the Document Signer in a SoftHSM2 token kept in the
// data directory (DATA_DIR/hsm). Demo only: the PIN is a file in the data directory.

#include <string>
#include <vector>

#include "mes/base/clock.h"
#include "mes/base/status.h"
#include "mes/config/config.h"

namespace cardline::app {

// Makes DATA_DIR/hsm (softhsm2.conf, tokens/, pin mode 0600), points SOFTHSM2_CONF at it for
// this process and its children, initialises the token "cardline-demo" with softhsm2-util when
// it is not there, and, when the token holds no ready Document Signer, generates one in it and
// has the test CSCA of DATA_DIR/pki certify it. Then switches config->signer to that token.
// Returns what it did, one line each. kNotFound when SoftHSM2 is not installed (the module or
// softhsm2-util), kUnavailable when a file cannot be written; token errors pass through.
Result<std::vector<std::string>> setUpDemoToken(Config* config, const Clock& clock);

}  // namespace cardline::app
