// Layer summary and FLOPs through ATen's RecordFunction observers: every operator the
// model's forward calls directly (depth 0) becomes a row; operators whose inputs are a
// module's parameters are named after that module.
#include "engine/model_summary.hpp"

#include <map>
#include <optional>
#include <set>

#include <ATen/record_function.h>
#include <fmt/format.h>
#include <torch/torch.h>

#include "ablate/model.hpp"

namespace ablate {

namespace {

struct Trace {
  int depth = 0;
  std::vector<LayerRow> rows;
  std::vector<double> flops;                 // per row
  std::map<const void*, std::string> owner;  // parameter TensorImpl -> module path
  std::map<std::string, std::int64_t> module_params;
  std::set<std::string> counted;
};

thread_local Trace* g_trace = nullptr;

std::vector<std::int64_t> shape_of(const c10::IValue& value) {
  if (value.isTensor()) return value.toTensor().sizes().vec();
  return {};
}

// Operators that move or view data without being a layer.
bool is_bookkeeping(const std::string& op) {
  static const std::set<std::string> kSkip = {"contiguous", "to",    "detach", "empty",     "zeros",
                                              "ones",       "size",  "view",   "clone",     "copy_",
                                              "_to_copy",   "alias", "t",      "transpose", "numpy_T"};
  return kSkip.count(op) > 0;
}

double flops_of(const std::string& op, c10::ArrayRef<const c10::IValue> inputs,
                const std::vector<std::int64_t>& output) {
  const auto tensor_shape = [&](std::size_t i) {
    return i < inputs.size() ? shape_of(inputs[i]) : std::vector<std::int64_t>{};
  };
  const auto numel = [](const std::vector<std::int64_t>& shape) {
    double n = 1;
    for (const auto d : shape) n *= static_cast<double>(d);
    return n;
  };
  if (op == "conv2d" || op == "convolution" || op == "conv1d" || op == "conv3d") {
    const auto weight = tensor_shape(1);  // (out, in / groups, kh, kw)
    if (weight.size() < 3 || output.empty()) return 0;
    return 2.0 * numel(output) * numel(std::vector<std::int64_t>(weight.begin() + 1, weight.end()));
  }
  if (op == "linear") {
    const auto weight = tensor_shape(1);  // (out, in)
    if (weight.size() != 2 || output.empty()) return 0;
    return 2.0 * numel(output) * static_cast<double>(weight[1]);
  }
  if (op == "matmul" || op == "mm" || op == "addmm" || op == "bmm") {
    const auto a = tensor_shape(op == "addmm" ? 1 : 0);
    if (a.empty() || output.empty()) return 0;
    return 2.0 * numel(output) * static_cast<double>(a.back());
  }
  return 0;
}

std::unique_ptr<at::ObserverContext> on_start(const at::RecordFunction& fn) {
  Trace* trace = g_trace;
  if (trace == nullptr) return nullptr;
  if (trace->depth++ == 0) {
    std::string op = fn.name();
    if (op.rfind("aten::", 0) == 0) op = op.substr(6);
    LayerRow row;
    row.op = op;
    row.name = op;
    for (const auto& input : fn.inputs()) {
      if (!input.isTensor()) continue;
      const auto found = trace->owner.find(input.toTensor().unsafeGetTensorImpl());
      if (found == trace->owner.end()) continue;
      row.name = found->second;
      if (trace->counted.insert(found->second).second) row.params = trace->module_params[found->second];
      break;
    }
    trace->rows.push_back(row);
    trace->flops.push_back(0);
  }
  return nullptr;
}

void on_end(const at::RecordFunction& fn, at::ObserverContext*) {
  Trace* trace = g_trace;
  if (trace == nullptr) return;
  if (--trace->depth == 0 && !trace->rows.empty()) {
    LayerRow& row = trace->rows.back();
    if (!fn.outputs().empty()) row.output_shape = shape_of(fn.outputs().front());
    trace->flops.back() = flops_of(row.op, fn.inputs(), row.output_shape);
  }
}

std::string with_commas(std::int64_t value) {
  std::string digits = std::to_string(value < 0 ? -value : value);
  for (int i = static_cast<int>(digits.size()) - 3; i > 0; i -= 3) digits.insert(i, ",");
  return value < 0 ? "-" + digits : digits;
}

std::string shape_text(const std::vector<std::int64_t>& shape) {
  if (shape.empty()) return "-";
  std::string text = "(";
  for (std::size_t i = 0; i < shape.size(); ++i) text += (i ? ", " : "") + std::to_string(shape[i]);
  return text + ")";
}

}  // namespace

nlohmann::json ModelSummary::layers_json() const {
  nlohmann::json rows = nlohmann::json::array();
  for (const auto& layer : layers) {
    rows.push_back(
        {{"name", layer.name}, {"op", layer.op}, {"output_shape", layer.output_shape}, {"params", layer.params}});
  }
  return rows;
}

std::string ModelSummary::to_text(const std::string& title) const {
  std::size_t width = 24;
  for (const auto& layer : layers) width = std::max(width, layer.name.size() + layer.op.size() + 3);
  std::string text = title + "\n";
  const std::string rule(width + 42, '-');
  text +=
      rule + "\n" + fmt::format("{:<{}} {:<26} {:>14}\n", "Layer (op)", width, "Output shape", "Param #") + rule + "\n";
  for (const auto& layer : layers) {
    const std::string label = layer.name == layer.op ? layer.op : fmt::format("{} ({})", layer.name, layer.op);
    text +=
        fmt::format("{:<{}} {:<26} {:>14}\n", label, width, shape_text(layer.output_shape), with_commas(layer.params));
  }
  text += rule + "\n";
  text += fmt::format("Total params: {} (trainable {}; non-trainable statistics {})\n", with_commas(params_total),
                      with_commas(params_trainable), with_commas(params_total - params_trainable));
  text += fmt::format("Size: {:.2f} MB    Forward FLOPs per image: {:.2f} M\n", params_bytes / 1048576.0,
                      flops_per_image / 1e6);
  return text;
}

ModelSummary summarize_model(Model& model, std::int64_t channels, std::int64_t resolution) {
  ModelSummary summary;
  Trace trace;
  for (const auto& item : model.named_modules("", /*include_self=*/false)) {
    std::int64_t own = 0;
    for (const auto& parameter : item.value()->named_parameters(/*recurse=*/false)) {
      trace.owner[parameter.value().unsafeGetTensorImpl()] = item.key();
      if (parameter.value().requires_grad()) own += parameter.value().numel();
    }
    trace.module_params[item.key()] = own;
  }
  for (const auto& parameter : model.parameters()) {
    summary.params_total += parameter.numel();
    summary.params_bytes += parameter.numel() * static_cast<std::int64_t>(parameter.element_size());
    if (parameter.requires_grad()) summary.params_trainable += parameter.numel();
  }
  for (const auto& buffer : model.buffers()) {
    if (buffer.is_floating_point()) summary.params_total += buffer.numel();
    summary.params_bytes += buffer.numel() * static_cast<std::int64_t>(buffer.element_size());
  }

  const bool was_training = model.is_training();
  model.eval();
  {
    torch::NoGradGuard no_grad;
    const torch::Tensor input = torch::zeros({1, channels, resolution, resolution});
    // Observers are removed however forward ends.
    struct Observing {
      at::CallbackHandle handle;
      explicit Observing(Trace& trace) {
        g_trace = &trace;
        handle = at::addThreadLocalCallback(at::RecordFunctionCallback(on_start, on_end)
                                                .needsInputs(true)
                                                .needsOutputs(true)
                                                .scopes({at::RecordScope::FUNCTION}));
      }
      ~Observing() {
        at::removeCallback(handle);
        g_trace = nullptr;
      }
    } observing(trace);
    model.forward(input);
  }
  // A bookkeeping row that touched a module's parameters first (Linear's weight goes
  // through `t` before `addmm`) hands its module and parameters to the next layer row.
  std::optional<LayerRow> carried;
  for (std::size_t i = 0; i < trace.rows.size(); ++i) {
    LayerRow row = trace.rows[i];
    if (is_bookkeeping(row.op)) {
      if (row.name != row.op && !carried) carried = row;
      continue;
    }
    if (carried) {
      if (row.name == row.op) row.name = carried->name;
      if (row.name == carried->name) row.params += carried->params;
      carried.reset();
    }
    summary.layers.push_back(row);
    summary.flops_per_image += trace.flops[i];
  }
  model.train(was_training);
  return summary;
}

}  // namespace ablate
