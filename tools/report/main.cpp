// report: reads a run store; its commands are in commands.cpp, its command line in cli.cpp.
#include <iostream>

#include "ablate/error.hpp"
#include "cli.hpp"
#include "cli_complete.hpp"
#include "commands.hpp"

int main(int argc, char** argv) {
  using namespace ablate::report;
  try {
    Cli cli;
    add_commands(cli);
    add_completion(cli);  // last: it completes every command added before
    return cli.run(argc, argv);
  } catch (const ablate::Error& e) {  // UsageError among them: a bad line, an unreadable store
    std::cerr << "report: error: " << e.what() << '\n';
    return kExitUsage;
  } catch (const std::exception& e) {
    std::cerr << "report: error: " << e.what() << '\n';
    return kExitFailure;
  }
}
