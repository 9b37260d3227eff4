// A tiny HTTP/1.1 server on 127.0.0.1 for the download tests: serves registered bodies
// and misbehaves on request (404, a body cut half-way, never answering).
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace ablate::test {

class HttpServer {
 public:
  enum class Behaviour {
    serve,         // 200 with the whole body
    cut_half_way,  // announces the whole body, sends half, closes
    silent,        // accepts the connection and never says a word
  };

  // Binds an ephemeral port (no race with other tests) and starts serving.
  HttpServer();
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // "http://127.0.0.1:PORT/files": `GET /files/NAME` answers what put() registered
  // for NAME (the query string is ignored), and 404 for anything else.
  std::string base_url() const;
  void put(const std::string& name, std::vector<std::uint8_t> body, Behaviour behaviour = Behaviour::serve);
  // How many requests named NAME.
  int requests(const std::string& name) const;

 private:
  struct Entry {
    std::vector<std::uint8_t> body;
    Behaviour behaviour = Behaviour::serve;
  };

  void accept_loop();
  void handle(int client);

  int listener_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  mutable std::mutex mutex_;
  std::map<std::string, Entry> entries_;
  std::map<std::string, int> requests_;
  std::thread acceptor_;
  std::vector<std::thread> handlers_;  // joined in the destructor
};

}  // namespace ablate::test
