#pragma once
// Binding a flat netlist to devices: the only place that sees both parser/ and models/.
// Numbers the unknowns, builds the sparsity pattern once (compressed columns, as KLU wants it),
// and loads the linear devices once into a base matrix.

#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "models/Device.hpp"
#include "solver/DeviceHistory.hpp"
#include "parser/Netlist.hpp"
#include "solver/NameTable.hpp"
#include "solver/Options.hpp"

namespace ionspice::solver {

enum class UnknownKind { Voltage, Current, State };

/// Hash that lets string maps be searched with a string_view, without a temporary string.
struct NameHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};
template <class Key, class T>
using NameMap = std::unordered_map<Key, T, NameHash, std::equal_to<>>;

struct Unknown {
    std::string name;  ///< output name: v(node), i(device), x(device)
    UnknownKind kind;
};

class Circuit {
public:
    /// Builds devices for every element. Throws parser::NetlistError located in the netlist.
    /// `netlist` must outlive the circuit (messages point into its elements).
    Circuit(const parser::Netlist& netlist, const SimOptions& options);
    ~Circuit();
    /// Parameters the netlist gives that the devices accept and do not act on, as located
    /// warnings (once per model line; once per kind of element and parameter, with a count).
    const std::vector<std::string>& warnings() const { return warnings_; }
    Circuit(const Circuit&) = delete;
    Circuit& operator=(const Circuit&) = delete;

    int size() const { return static_cast<int>(unknowns_.size()); }
    const std::vector<Unknown>& unknowns() const { return unknowns_; }
    /// Absolute Newton tolerance of an unknown (vntol, abstol or stol by kind).
    double abs_tol(int i, const SimOptions& o) const;

    /// Unknown of a node by flat name; kGround for ground, -2 when there is no such node.
    int node_index(std::string_view node) const;
    /// Unknown of a device's branch current or state; -2 when the device has none.
    int branch_index(std::string_view device) const;
    int state_index(std::string_view device) const;
    models::Device* find_device(std::string_view name) const;
    /// The element a device was built from (for messages).
    const parser::Element& element_of(const models::Device* d) const;
    /// The current into device `d` at unknown `row` (one of its terminals' nodes) at x, with
    /// dx/dt = xdot: its f at that row plus Σ dq/dx·dx/dt there, from one evaluation of `d`
    /// alone (its history values are put back after, so the run is as without it).
    double terminal_current(const models::Device& d, int row, const double* x, const double* xdot) const;

    // Compressed-column pattern of J (every node voltage's diagonal entry included).
    const std::vector<int>& col_ptr() const { return col_ptr_; }
    const std::vector<int>& row_idx() const { return row_idx_; }
    int nnz() const { return static_cast<int>(row_idx_.size()); }
    /// Slot of the diagonal entry of each node voltage (kNoSlot for other unknowns).
    const std::vector<int>& diag() const { return diag_; }

    /// df/dx and dq/dx of all linear devices (and of the gshunt/rshunt shunt), stamped once.
    const std::vector<double>& base_jf() const { return base_jf_; }
    const std::vector<double>& base_jq() const { return base_jq_; }

    /// The devices' history values. Like the devices themselves, they are the circuit's mutable
    /// state: analyses change them through a const Circuit.
    DeviceHistory& history() const { return *history_; }
    /// An accepted point x at `time`: the nonlinear devices update their history values for it,
    /// which then become the accepted ones.
    void accept(const double* x, double time) const;
    /// The shortest of the nonlinear devices' max_step limits after the accepted point x
    /// (x_previous the one `last_step` before it); infinity when none limits.
    double max_step(const double* x, const double* x_previous, double last_step) const;

    const std::vector<models::Device*>& nonlinear() const { return nonlinear_; }
    const std::vector<models::Device*>& sourced() const { return sourced_; }
    const std::vector<std::unique_ptr<models::Device>>& devices() const { return devices_; }

private:
    void bind(const parser::Netlist& netlist, const SimOptions& options);
    void build_pattern();
    void load_linear(double shunt);

    std::vector<Unknown> unknowns_;
    // Keyed by views of the netlist's node names (the netlist outlives the circuit) and of
    // the devices' own names, which live as long as the devices.
    NameTable<int> node_of_;
    NameTable<int> branch_of_;
    NameTable<int> state_of_;
    NameTable<models::Device*> device_of_;

    std::vector<std::unique_ptr<models::Device>> devices_;
    std::vector<const parser::Element*> element_;  ///< per device, into the netlist
    std::vector<std::unique_ptr<models::ModelCard>> model_cards_;
    /// Located warnings for parameters the devices accept without acting on (ParamNote).
    std::vector<std::string> warnings_;
    std::vector<std::shared_ptr<const models::ModelParams>> prepared_;
    std::vector<models::Device*> nonlinear_, sourced_;
    std::size_t history_size_ = 0;
    std::unique_ptr<DeviceHistory> history_;

    std::vector<int> col_ptr_, row_idx_, diag_;
    /// Each device's history values: (first, count), in device order.
    std::vector<std::pair<std::size_t, std::size_t>> history_range_;
    /// By row: the pattern's slots in it and their columns (terminal_current; built on first use).
    mutable std::vector<std::vector<std::pair<int, int>>> row_slots_;
    mutable std::once_flag row_slots_once_;
    /// Device → its index in devices_ (built on first use).
    std::size_t index_of(const models::Device* d) const;
    mutable std::unordered_map<const models::Device*, std::size_t> index_of_;
    mutable std::once_flag index_once_;
    std::vector<double> base_jf_, base_jq_;
};

}  // namespace ionspice::solver
