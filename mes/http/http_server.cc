#include "mes/http/http_server.h"

#include <Poco/Exception.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Timespan.h>
#include <Poco/URI.h>

#include <cctype>
#include <exception>
#include <istream>
#include <ostream>

#include "mes/base/log.h"

namespace cardline {
namespace {

void send(Poco::Net::HTTPServerResponse& out, const HttpResponse& response,
          const std::string& path) {
  // With the reason phrase of the status (never "404 OK").
  out.setStatusAndReason(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(response.status));
  out.setContentType(response.content_type);
  out.set("X-Content-Type-Options", "nosniff");
  out.set("X-Frame-Options", "DENY");
  out.set("Referrer-Policy", "no-referrer");
  out.set("Content-Security-Policy",
          "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'");
  if (path.rfind("/api/", 0) == 0) out.set("Cache-Control", "no-store");
  for (const auto& [header_name, value] : response.headers) out.add(header_name, value);
  if (response.stream) {
    // Streaming body: chunked, flushed after every chunk, ends when the callback returns.
    out.setChunkedTransferEncoding(true);
    out.setKeepAlive(false);
    std::ostream& stream = out.send();
    response.stream([&stream](const std::string& chunk) {
      try {
        stream << chunk;
        stream.flush();
        return stream.good();
      } catch (const std::exception&) {
        return false;  // the client went away: the writer reports it, the stream ends
      }
    });
    return;
  }
  out.setContentLength(static_cast<std::streamsize>(response.body.size()));
  out.send() << response.body;
}

class RouterHandler final : public Poco::Net::HTTPRequestHandler {
 public:
  RouterHandler(const Router& router, std::size_t max_body_bytes)
      : router_(router), max_body_bytes_(max_body_bytes) {}

  void handleRequest(Poco::Net::HTTPServerRequest& in,
                     Poco::Net::HTTPServerResponse& out) override {
    HttpRequest request;
    HttpResponse response;
    try {
      response = adapt(in, request);
    } catch (const std::exception& e) {
      response = HttpResponse::error(400, "bad_request", std::string("bad request: ") + e.what());
    }
    try {
      send(out, response, request.path);
    } catch (const std::exception& e) {
      // The client went away mid-response; nothing more can be sent.
      logWarning("http", std::string("sending a response failed: ") + e.what());
    }
  }

 private:
  // Fills `request` from POCO's; answers errors found while reading, else the router's answer.
  HttpResponse adapt(Poco::Net::HTTPServerRequest& in, HttpRequest& request) {
    Poco::URI uri(in.getURI());
    request.path = uri.getPath();
    for (const auto& [key, value] : uri.getQueryParameters()) request.query[key] = value;
    for (const auto& [key, value] : in) {
      std::string lower = key;
      for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      request.headers[lower] = value;
    }
    request.client_address = in.clientAddress().host().toString();
    Result<HttpMethod> method = parseHttpMethod(in.getMethod());
    if (!method.isOk()) {
      return HttpResponse::error(405, "method_not_allowed", method.status().message());
    }
    request.method = *method;
    std::istream& body = in.stream();
    char buffer[8192];
    while (body.read(buffer, sizeof buffer) || body.gcount() > 0) {
      request.body.append(buffer, static_cast<std::size_t>(body.gcount()));
      if (request.body.size() > max_body_bytes_) {
        return HttpResponse::error(413, "too_large", "the request body is too large");
      }
    }
    return router_.handle(request);
  }

  const Router& router_;
  std::size_t max_body_bytes_;
};

class RouterHandlerFactory final : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  RouterHandlerFactory(const Router& router, std::size_t max_body_bytes)
      : router_(router), max_body_bytes_(max_body_bytes) {}
  // Never returns nullptr: every request reaches the router, which answers unknown routes
  // with a JSON 404. POCO takes ownership of the returned handler.
  Poco::Net::HTTPRequestHandler* createRequestHandler(
      const Poco::Net::HTTPServerRequest&) override {
    return new RouterHandler(router_, max_body_bytes_);
  }

 private:
  const Router& router_;
  std::size_t max_body_bytes_;
};

}  // namespace

HttpServer::HttpServer(Router& router, HttpServerOptions options)
    : router_(router), options_(std::move(options)) {}

HttpServer::~HttpServer() { stop(); }

Status HttpServer::start(int port) {
  if (server_) return failedPrecondition("the HTTP server is already started");
  try {
    Poco::Net::ServerSocket socket;
    socket.bind(Poco::Net::SocketAddress(options_.bind_address, static_cast<Poco::UInt16>(port)),
                true);
    socket.listen(options_.max_queued);
    Poco::Net::HTTPServerParams::Ptr params = new Poco::Net::HTTPServerParams;
    params->setMaxThreads(options_.max_threads);
    params->setMaxQueued(options_.max_queued);
    params->setKeepAlive(true);
    params->setTimeout(Poco::Timespan(options_.read_timeout_seconds, 0));
    params->setKeepAliveTimeout(Poco::Timespan(options_.keep_alive_seconds, 0));
    const int bound = socket.address().port();
    server_ = std::make_unique<Poco::Net::HTTPServer>(
        new RouterHandlerFactory(router_, options_.max_body_bytes), socket, params);
    server_->start();
    port_ = bound;
  } catch (const Poco::Exception& e) {
    server_.reset();
    return unavailable("cannot serve HTTP on " + options_.bind_address + ":" +
                       std::to_string(port) + ": " + e.displayText());
  }
  logInfo("http", "serving on " + options_.bind_address + ":" + std::to_string(port_));
  return Status::ok();
}

void HttpServer::stop() {
  if (!server_) return;
  server_->stopAll(true);
  server_.reset();
  port_ = 0;
}

}  // namespace cardline
