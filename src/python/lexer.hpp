#pragma once

// Python tokenizer (private to src/python/): names, numbers, strings, operators, and the
// NEWLINE / INDENT / DEDENT structure, with byte offsets.

#include "python/ast.hpp"

#include <string_view>
#include <vector>

namespace miglint::python {

enum class Tok { Name, Number, String, Op, Newline, Indent, Dedent, End };

struct Token {
  Tok kind = Tok::End;
  uint32_t begin = 0;
  uint32_t end = 0;
  std::string_view text;

  bool is(Tok k, std::string_view t) const { return kind == k && text == t; }
  bool is_op(std::string_view t) const { return is(Tok::Op, t); }
  bool is_name(std::string_view t) const { return is(Tok::Name, t); }
};

struct Lexed {
  std::vector<Token> tokens; // ends with Tok::End
  std::vector<Comment> comments;
  std::vector<SyntaxError> errors;
};

Lexed tokenize(std::string_view source);

} // namespace miglint::python
