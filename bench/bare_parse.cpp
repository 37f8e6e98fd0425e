// libpg_query's bare parse of the same text: the floor for any libpg_query-based linter.
//   bare_parse --warm FILE [RUNS]   median in-process time of pg_query_parse (JSON) and
//                                   pg_query_parse_protobuf over RUNS runs, in ms
//   bare_parse FILE...              parse each file once with pg_query_parse and exit: timed as
//                                   a whole process, like `miglint check`
#include <pg_query.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace {

std::string read(const char* path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

template <typename F>
double median_ms(int runs, F&& f) {
  std::vector<double> t;
  for (int i = 0; i < runs; ++i) {
    auto start = std::chrono::steady_clock::now();
    f();
    t.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
                    .count());
  }
  std::sort(t.begin(), t.end());
  return t[t.size() / 2];
}

} // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: bare_parse --warm FILE [RUNS] | bare_parse FILE...\n");
    return 2;
  }
  if (std::strcmp(argv[1], "--warm") == 0 && argc >= 3) {
    const std::string sql = read(argv[2]);
    const int runs = argc > 3 ? std::atoi(argv[3]) : 5;
    const double json =
        median_ms(runs, [&] { pg_query_free_parse_result(pg_query_parse(sql.c_str())); });
    const double pb = median_ms(
        runs, [&] { pg_query_free_protobuf_parse_result(pg_query_parse_protobuf(sql.c_str())); });
    std::printf("%.1f %.1f\n", json, pb);
    return 0;
  }
  size_t statements = 0;
  for (int i = 1; i < argc; ++i) {
    const std::string sql = read(argv[i]);
    PgQueryParseResult r = pg_query_parse(sql.c_str());
    statements += r.parse_tree != nullptr ? std::strlen(r.parse_tree) : 0; // keep the work
    pg_query_free_parse_result(r);
  }
  return statements == 0 ? 1 : 0;
}
