#pragma once
// A B source's resolved expression (parser::BehaviouralExpr) as the models' InputFunction: its
// value and gradient by forward differentiation, one pass over the nodes in index order.
// Functions follow ngspice's B-source conventions where they differ from .param arithmetic:
// ln, log10 and sqrt take |x|, x**y and pow(x, y) are |x|^y, so that Newton's trial points
// outside a function's domain stay finite.

#include <memory>

#include "models/Device.hpp"
#include "parser/Netlist.hpp"

namespace ionspice::solver {

std::shared_ptr<const models::InputFunction> make_behavioural_function(parser::BehaviouralExpr expr);

}  // namespace ionspice::solver
