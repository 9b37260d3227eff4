# Refuses, at configure time, a LibTorch whose C++ ABI differs from Debian's libraries.
#
# libstdc++ has two ABIs for std::string and std::list, chosen by _GLIBCXX_USE_CXX11_ABI.
# Debian builds everything (yaml-cpp, Boost, fmt, SQLiteCpp, GoogleTest) with the C++11
# ABI (1). LibTorch says which one it was built with in TORCH_CXX_FLAGS and imposes it on
# every target that links it; with 0 those targets could not link Debian's libraries, and
# the build would end at link time with pages of undefined std::__cxx11 symbols. pip's
# PyTorch wheels used 0 up to 2.6 (except its CUDA 12.6 builds) and use 1 from 2.7 on.
if(TORCH_CXX_FLAGS MATCHES "_GLIBCXX_USE_CXX11_ABI=0")
  message(FATAL_ERROR
    "LibTorch ${Torch_VERSION} in ${Torch_DIR} was built with the pre-C++11 ABI of libstdc++ "
    "(TORCH_CXX_FLAGS: ${TORCH_CXX_FLAGS}), but Debian's yaml-cpp, Boost, fmt and SQLiteCpp, "
    "which Ablate links, use the C++11 ABI: the two cannot be linked together. Use a LibTorch "
    "built with the C++11 ABI: Debian's libtorch-dev, a pip PyTorch 2.7 or newer (check with "
    "python3 -c 'import torch; print(torch.compiled_with_cxx11_abi())', which must print True), "
    "or LibTorch's 'cxx11 ABI' download; then point CMAKE_PREFIX_PATH at it (README.md, "
    "'Other LibTorch builds').")
endif()
