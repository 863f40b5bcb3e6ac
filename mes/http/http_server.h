#pragma once
// The HTTP server: POCO's HTTPServer on a TCP port, every request adapted to HttpRequest and
// answered by the Router. Security headers (nosniff, frame denial, a same-origin content
// security policy, no-store for the API) are added to every response.
//
// Owns the POCO server; the router must outlive it. start() and stop() are called from one
// thread (the composition root); request handling runs on POCO's thread pool.

#include <cstddef>
#include <memory>
#include <string>

#include "mes/base/status.h"
#include "mes/http/router.h"

namespace Poco::Net {
class HTTPServer;
}

namespace cardline {

// POCO serves each connection on one worker thread, so a client that sends its request
// slowly (a partial body, no Content-Length and no end) holds a thread. The defaults keep the
// pages answering while many such clients hang on: enough threads for the live event streams
// of a factory floor plus slow clients, and a receive timeout that ends a connection whose
// request stalls (headers or body).
struct HttpServerOptions {
  std::string bind_address = "127.0.0.1";  // "0.0.0.0" to serve other machines
  int max_threads = 160;                   // POCO worker threads (streams hold one each)
  int max_queued = 256;                    // accepted connections waiting for a thread
  std::size_t max_body_bytes = 1 << 20;    // larger request bodies get 413
  int read_timeout_seconds = 10;           // a request that sends nothing for this long ends
  int keep_alive_seconds = 5;              // an idle kept-alive connection closes after this
};

class HttpServer {
 public:
  HttpServer(Router& router, HttpServerOptions options = {});
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds bind_address:port (0 = any free port; read it back with port()) and starts serving.
  // kUnavailable if the address cannot be bound; kFailedPrecondition if already started.
  Status start(int port);
  // Stops accepting, lets running requests finish, and releases the port. Idempotent.
  void stop();
  // The bound port, or 0 when not started.
  int port() const { return port_; }

 private:
  Router& router_;
  HttpServerOptions options_;
  std::unique_ptr<Poco::Net::HTTPServer> server_;
  int port_ = 0;
};

}  // namespace cardline
