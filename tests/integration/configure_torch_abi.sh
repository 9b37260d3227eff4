# Configuring against a LibTorch built with the pre-C++11 libstdc++ ABI (as pip's wheels
# before 2.7) stops at configure time, naming the ABI and what to use instead, rather
# than at link time with pages of undefined symbols (cmake/CheckTorchAbi.cmake).
source "$(dirname "$0")/lib.bash" "$@"

# A stand-in for such a LibTorch's CMake package: configuring stops before anything of it is used.
mkdir -p fake-torch
cat >fake-torch/TorchConfig.cmake <<'CMAKE'
set(Torch_FOUND TRUE)
set(Torch_VERSION 2.6.0)
set(TORCH_INCLUDE_DIRS "${CMAKE_CURRENT_LIST_DIR}/include")
set(TORCH_LIBRARIES torch)
set(TORCH_CXX_FLAGS "-D_GLIBCXX_USE_CXX11_ABI=0")
CMAKE
expect_exit 1 old-abi.log -- cmake -S "$SOURCE_DIR" -B old-abi -DTorch_DIR="$WORK/fake-torch"
tr -s ' \n' '  ' <old-abi.log >old-abi.flat  # CMake wraps the message's lines
expect_in old-abi.flat "LibTorch 2.6.0 in $WORK/fake-torch was built with the pre-C++11 ABI"
expect_in old-abi.flat "torch.compiled_with_cxx11_abi()"

# The same package with the C++11 ABI passes the check (and configuring goes on to Boost and the rest).
sed -i 's/ABI=0/ABI=1/' fake-torch/TorchConfig.cmake
cmake -S "$SOURCE_DIR" -B new-abi -DTorch_DIR="$WORK/fake-torch" >new-abi.log 2>&1 || true
if grep -qF "pre-C++11 ABI" new-abi.log; then cat new-abi.log >&2; fail "a C++11-ABI LibTorch was refused"; fi
expect_in new-abi.log "Configuring"
echo "configure_torch_abi: OK"
