#include "alembic/graph.hpp"

#include <algorithm>
#include <functional>
#include <map>
#include <set>

namespace miglint::alembic {
namespace {

core::Finding graph_finding(const Revision& rev, python::Span span, std::string rule,
                            std::string message) {
  core::Finding f = finding_at(rev.file, span, std::move(rule), std::move(message));
  f.migration = rev.id;
  return f;
}

std::string list(const std::vector<std::string>& ids) {
  std::string out;
  for (const auto& id : ids) {
    out += (out.empty() ? "" : ", ") + id;
  }
  return out;
}

} // namespace

GraphResult order_revisions(const std::vector<const Revision*>& revisions) {
  GraphResult out;
  // Stable input order: by file path.
  std::vector<const Revision*> revs = revisions;
  std::sort(revs.begin(), revs.end(),
            [](const Revision* a, const Revision* b) { return a->file->path() < b->file->path(); });

  std::map<std::string, const Revision*> by_id;
  std::map<std::string, const Revision*> by_label;
  for (const Revision* r : revs) {
    auto [it, inserted] = by_id.emplace(r->id, r);
    if (!inserted) {
      out.findings.push_back(graph_finding(*r, r->id_span, "duplicate-revision",
                                           "revision id `" + r->id + "` is also used by " +
                                               it->second->file->path() +
                                               ": Alembic refuses to load the history"));
    }
    for (const auto& label : r->branch_labels) {
      by_label.emplace(label, r);
    }
  }

  // Edges: a revision comes after its down_revisions and its depends_on.
  std::map<const Revision*, std::vector<const Revision*>> parents;
  std::set<std::string> referenced;
  for (const Revision* r : revs) {
    if (by_id.at(r->id) != r) {
      continue; // a duplicate: reported above, left out of the graph
    }
    for (const auto& p : r->down) {
      referenced.insert(p);
      if (auto it = by_id.find(p); it != by_id.end()) {
        parents[r].push_back(it->second);
      } else {
        out.findings.push_back(graph_finding(
            *r, r->down_span.end > r->down_span.begin ? r->down_span : r->id_span,
            "missing-down-revision",
            "down_revision `" + p + "` of revision `" + r->id +
                "` is not in the history: `alembic upgrade` fails with \"Can't locate revision\""));
      }
    }
    for (const auto& d : r->depends_on) {
      if (auto it = by_id.find(d); it != by_id.end()) {
        parents[r].push_back(it->second);
      } else if (auto lt = by_label.find(d); lt != by_label.end()) {
        parents[r].push_back(lt->second);
      }
    }
  }

  // Heads: revisions no other revision names as its down_revision.
  std::vector<std::string> heads;
  const Revision* first_head = nullptr;
  for (const Revision* r : revs) {
    if (by_id.at(r->id) == r && !referenced.contains(r->id)) {
      heads.push_back(r->id);
      first_head = first_head ? first_head : r;
    }
  }
  if (heads.size() > 1) {
    std::string merge = "alembic merge -m \"merge heads\"";
    for (const auto& h : heads) {
      merge += " " + h;
    }
    for (const Revision* r : revs) {
      if (by_id.at(r->id) == r && !referenced.contains(r->id)) {
        out.findings.push_back(graph_finding(
            *r, r->id_span, "multiple-heads",
            "the history has " + std::to_string(heads.size()) + " heads (" + list(heads) +
                "): `alembic upgrade head` fails; merge them with `" + merge + "`"));
      }
    }
  }

  // Topological order by depth-first search; a back edge is a cycle.
  enum class Mark { None, Active, Done };
  std::map<const Revision*, Mark> mark;
  std::set<const Revision*> in_cycle;
  std::function<void(const Revision*)> visit = [&](const Revision* r) {
    mark[r] = Mark::Active;
    for (const Revision* p : parents[r]) {
      if (mark[p] == Mark::Active) {
        if (in_cycle.insert(p).second) {
          out.findings.push_back(graph_finding(
              *p, p->down_span.end > p->down_span.begin ? p->down_span : p->id_span,
              "revision-cycle",
              "revision `" + p->id + "` is its own ancestor through `" + r->id +
                  "`: the down_revision chain loops and Alembic cannot order the history"));
        }
      } else if (mark[p] == Mark::None) {
        visit(p);
      }
    }
    mark[r] = Mark::Done;
    out.order.push_back(r);
  };
  for (const Revision* r : revs) {
    if (by_id.at(r->id) == r && mark[r] == Mark::None) {
      visit(r);
    }
  }
  return out;
}

} // namespace miglint::alembic
