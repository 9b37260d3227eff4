// The download tests' HTTP server: plain POSIX sockets, one thread per connection.
#include "http_server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <stdexcept>
#include <string>

namespace ablate::test {

namespace {

constexpr int kPollMillis = 50;  // how quickly the threads notice stop_

void send_all(int fd, const void* data, std::size_t size) {
  const auto* bytes = static_cast<const char*>(data);
  while (size > 0) {
    const ssize_t sent = ::send(fd, bytes, size, MSG_NOSIGNAL);
    if (sent <= 0) return;  // the client went away; nothing to report
    bytes += sent;
    size -= static_cast<std::size_t>(sent);
  }
}

void send_text(int fd, const std::string& text) { send_all(fd, text.data(), text.size()); }

}  // namespace

HttpServer::HttpServer() {
  listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (listener_ < 0) throw std::runtime_error("socket() failed");
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  socklen_t length = sizeof address;
  if (::bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 || ::listen(listener_, 16) != 0 ||
      ::getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    ::close(listener_);
    throw std::runtime_error("cannot listen on 127.0.0.1");
  }
  port_ = ntohs(address.sin_port);
  acceptor_ = std::thread([this] { accept_loop(); });
}

HttpServer::~HttpServer() {
  stop_ = true;
  acceptor_.join();
  for (std::thread& handler : handlers_) handler.join();
  ::close(listener_);
}

std::string HttpServer::base_url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/files"; }

void HttpServer::put(const std::string& name, std::vector<std::uint8_t> body, Behaviour behaviour) {
  std::lock_guard<std::mutex> lock(mutex_);
  entries_[name] = Entry{std::move(body), behaviour};
}

int HttpServer::requests(const std::string& name) const {
  std::lock_guard<std::mutex> lock(mutex_);
  const auto it = requests_.find(name);
  return it == requests_.end() ? 0 : it->second;
}

void HttpServer::accept_loop() {
  while (!stop_) {
    pollfd waiting{listener_, POLLIN, 0};
    if (::poll(&waiting, 1, kPollMillis) <= 0) continue;
    const int client = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
    if (client < 0) continue;
    handlers_.emplace_back([this, client] {
      handle(client);
      ::close(client);
    });
  }
}

void HttpServer::handle(int client) {
  std::string request;
  char buffer[4096];
  while (request.find("\r\n\r\n") == std::string::npos && !stop_) {
    pollfd waiting{client, POLLIN, 0};
    if (::poll(&waiting, 1, kPollMillis) <= 0) continue;
    const ssize_t got = ::recv(client, buffer, sizeof buffer, 0);
    if (got <= 0) return;
    request.append(buffer, static_cast<std::size_t>(got));
  }
  // "GET /files/NAME?download=1 HTTP/1.1"
  const std::string prefix = "GET /files/";
  std::string name;
  if (request.rfind(prefix, 0) == 0) {
    name = request.substr(prefix.size(), request.find_first_of("? ", prefix.size()) - prefix.size());
  }
  Entry entry;
  bool found = false;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    ++requests_[name];
    const auto it = entries_.find(name);
    if (it != entries_.end()) {
      entry = it->second;
      found = true;
    }
  }
  if (!found) {
    send_text(client, "HTTP/1.1 404 Not Found\r\nContent-Length: 10\r\nConnection: close\r\n\r\n"
                      "not found\n");
    return;
  }
  if (entry.behaviour == Behaviour::silent) {
    // Hold the connection open without a byte until the client gives up or the test ends.
    while (!stop_) {
      pollfd waiting{client, POLLIN, 0};
      if (::poll(&waiting, 1, kPollMillis) > 0 && ::recv(client, buffer, sizeof buffer, 0) <= 0) {
        return;
      }
    }
    return;
  }
  send_text(client, "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n"
                    "Content-Length: " +
                        std::to_string(entry.body.size()) + "\r\nConnection: close\r\n\r\n");
  const std::size_t size = entry.behaviour == Behaviour::cut_half_way ? entry.body.size() / 2 : entry.body.size();
  send_all(client, entry.body.data(), size);
}

}  // namespace ablate::test
