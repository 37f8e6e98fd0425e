#include "alembic/revision.hpp"

namespace miglint::alembic {

bool is_valid_utf8(std::string_view text, size_t* bad_offset) {
  for (size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    size_t len = c < 0x80 ? 1 : c >= 0xF0 && c < 0xF5 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 ? 2 : 0;
    bool ok = len != 0 && i + len <= text.size();
    for (size_t k = 1; ok && k < len; ++k) {
      ok = (static_cast<unsigned char>(text[i + k]) & 0xC0) == 0x80;
    }
    if (!ok) {
      if (bad_offset != nullptr) {
        *bad_offset = i;
      }
      return false;
    }
    i += len;
  }
  return true;
}

core::Finding finding_at(const core::SourceFilePtr& file, python::Span span, std::string rule,
                         std::string message) {
  core::Finding f;
  f.rule = std::move(rule);
  f.message = std::move(message);
  f.location = {file, span.begin, span.end};
  return f;
}

namespace {

// A string, None, or a tuple/list of strings, as revision metadata is written.
bool read_ids(const python::ExprPtr& e, std::vector<std::string>& out) {
  out.clear();
  if (!e || e->kind == python::ExprKind::None) {
    return true;
  }
  if (e->kind == python::ExprKind::Str) {
    out.push_back(e->text);
    return true;
  }
  if (e->kind == python::ExprKind::Tuple || e->kind == python::ExprKind::List) {
    for (const auto& item : e->items) {
      if (!item || item->kind != python::ExprKind::Str) {
        return false;
      }
      out.push_back(item->text);
    }
    return true;
  }
  return false;
}

std::string target_name(const python::Stmt& s) {
  if ((s.kind == python::StmtKind::Assign || s.kind == python::StmtKind::AnnAssign) &&
      !s.targets.empty() && s.targets[0]->kind == python::ExprKind::Name) {
    return s.targets[0]->text;
  }
  return {};
}

} // namespace

std::unique_ptr<Revision> read_revision(core::SourceFilePtr file) {
  auto rev = std::make_unique<Revision>();
  rev->file = file;
  size_t bad = 0;
  if (!is_valid_utf8(file->text(), &bad)) {
    rev->findings.push_back(
        finding_at(file, {static_cast<uint32_t>(bad), static_cast<uint32_t>(bad + 1)},
                   "input-error", file->path() + " is not valid UTF-8, as Python source must be"));
    // Keep going: the tokenizer takes any bytes, so the revision can still be read.
  }
  rev->module = python::parse(file->text());
  for (const auto& e : rev->module.errors) {
    rev->findings.push_back(finding_at(file, {e.offset, e.offset + 1}, "input-error",
                                       "Python syntax error: " + e.message));
  }
  for (const auto& s : rev->module.body) {
    const std::string name = target_name(s);
    if (name == "revision") {
      if (s.value && s.value->kind == python::ExprKind::Str) {
        rev->is_revision = true;
        rev->id = s.value->text;
        rev->id_span = s.span;
      } else {
        rev->is_revision = true;
        rev->id_span = s.span;
        rev->findings.push_back(
            finding_at(file, s.span, "input-error", "`revision` must be a string literal"));
      }
    } else if (name == "down_revision") {
      rev->down_span = s.span;
      if (!read_ids(s.value, rev->down)) {
        rev->findings.push_back(
            finding_at(file, s.span, "input-error",
                       "`down_revision` must be None, a string or a tuple of strings"));
      }
    } else if (name == "depends_on") {
      read_ids(s.value, rev->depends_on);
    } else if (name == "branch_labels") {
      read_ids(s.value, rev->branch_labels);
    } else if (s.kind == python::StmtKind::Def && s.name == "upgrade") {
      rev->upgrade = &s;
    } else if (s.kind == python::StmtKind::Def && s.name == "downgrade") {
      rev->downgrade = &s;
    } else if (s.kind == python::StmtKind::Import) {
      for (const auto& [module, alias] : s.names) {
        rev->aliases[alias.empty() ? module.substr(0, module.find('.')) : alias] =
            alias.empty() ? module.substr(0, module.find('.')) : module;
      }
    } else if (s.kind == python::StmtKind::ImportFrom) {
      for (const auto& [name_, alias] : s.names) {
        rev->aliases[alias.empty() ? name_ : alias] = s.module + "." + name_;
      }
    }
  }
  return rev;
}

} // namespace miglint::alembic
