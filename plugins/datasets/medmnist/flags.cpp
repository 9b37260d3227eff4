// The table of MedMNIST v2 2D flags, copied from the MedMNIST package's medmnist/info.py
// (version 3.0.2, which points at Zenodo record 10519652); MD5s are the published ones.
#include "flags.hpp"

namespace ablate::medmnist {

namespace {

const std::vector<std::string> kOrganClasses = {"bladder",     "femur-left",   "femur-right", "heart",
                                                "kidney-left", "kidney-right", "liver",       "lung-left",
                                                "lung-right",  "pancreas",     "spleen"};

std::vector<FlagInfo> make_flags() {
  std::vector<FlagInfo> flags;
  flags.push_back({"pathmnist",
                   3,
                   {"adipose", "background", "debris", "lymphocytes", "mucus", "smooth muscle", "normal colon mucosa",
                    "cancer-associated stroma", "colorectal adenocarcinoma epithelium"},
                   {89996, 10004, 7180},
                   false,
                   {"a8b06965200029087d5bd730944a56c1", "55aa9c1e0525abe5a6b9d8343a507616",
                    "ac42d08fb904d92c244187169d1fd1d9", "2c51a510bcdc9cf8ddb2af93af1eadec"}});
  flags.push_back({"chestmnist",
                   1,
                   {"atelectasis", "cardiomegaly", "effusion", "infiltration", "mass", "nodule", "pneumonia",
                    "pneumothorax", "consolidation", "edema", "emphysema", "fibrosis", "pleural", "hernia"},
                   {78468, 11219, 22433},
                   true,
                   {"02c8a6516a18b556561a56cbdd36c4a8", "9de6cd0b934ebb5b7426cfba5efbae16",
                    "db107e5590b27930b62dbaf558aebee3", "45bd33e6f06c3e8cdb481c74a89152aa"}});
  flags.push_back({"dermamnist",
                   3,
                   {"actinic keratoses and intraepithelial carcinoma", "basal cell carcinoma",
                    "benign keratosis-like lesions", "dermatofibroma", "melanoma", "melanocytic nevi",
                    "vascular lesions"},
                   {7007, 1003, 2005},
                   false,
                   {"0744692d530f8e62ec473284d019b0c7", "b70a2f5635c6199aeaa28c31d7202e1f",
                    "2defd784463fa5243564e855ed717de1", "8974907d8e169bef5f5b96bc506ae45d"}});
  flags.push_back({"octmnist",
                   1,
                   {"choroidal neovascularization", "diabetic macular edema", "drusen", "normal"},
                   {97477, 10832, 1000},
                   false,
                   {"c68d92d5b585d8d81f7112f81e2d0842", "e229e9440236b774d9f0dfef9d07bdaf",
                    "0a97e76651ace45c5d943ee3f65b63ae", "abc493b6d529d5de7569faaef2773ba3"}});
  flags.push_back({"pneumoniamnist",
                   1,
                   {"normal", "pneumonia"},
                   {4708, 524, 624},
                   false,
                   {"28209eda62fecd6e6a2d98b1501bb15f", "8f4eceb4ccffa70c672198ea285246c6",
                    "05b46931834c231683c68f40c47b2971", "d6a3c71de1b945ea11211b03746c1fe1"}});
  // Ordinal grades 0-4 of diabetic retinopathy, read here as five classes.
  flags.push_back({"retinamnist",
                   3,
                   {"0", "1", "2", "3", "4"},
                   {1080, 120, 400},
                   false,
                   {"bd4c0672f1bba3e3a89f0e4e876791e4", "afda852cc34dcda56f86ad2b2457dbcc",
                    "e48e916a24454daf90583d4e6efb1a18", "eae7e3b6f3fcbda4ae613ebdcbe35348"}});
  flags.push_back({"breastmnist",
                   1,
                   {"malignant", "normal, benign"},
                   {546, 78, 156},
                   false,
                   {"750601b1f35ba3300ea97c75c52ff8f6", "742edef2a1fd1524b2efff4bd7ba9364",
                    "363e4b3f8d712e9b5de15470a2aaadf1", "b56378a6eefa9fed602bb16d192d4c8b"}});
  flags.push_back({"bloodmnist",
                   3,
                   {"basophil", "eosinophil", "erythroblast",
                    "immature granulocytes (myelocytes, metamyelocytes and promyelocytes)", "lymphocyte", "monocyte",
                    "neutrophil", "platelet"},
                   {11959, 1712, 3421},
                   false,
                   {"7053d0359d879ad8a5505303e11de1dc", "2b94928a2ae4916078ca51e05b6b800b",
                    "adace1e0ed228fccda1f39692059dd4c", "b718ff6835fcbdb22ba9eacccd7b2601"}});
  flags.push_back({"tissuemnist",
                   1,
                   {"Collecting Duct, Connecting Tubule", "Distal Convoluted Tubule", "Glomerular endothelial cells",
                    "Interstitial endothelial cells", "Leukocytes", "Podocytes", "Proximal Tubule Segments",
                    "Thick Ascending Limb"},
                   {165466, 23640, 47280},
                   false,
                   {"ebe78ee8b05294063de985d821c1c34b", "123ece2eba09d0aa5d698fda57103344",
                    "61b955355d7425a89687b06cca3ce0c2", "b077128c4a949f0a4eb01517f9037b9c"}});
  flags.push_back({"organamnist",
                   1,
                   kOrganClasses,
                   {34561, 6491, 17778},
                   false,
                   {"68e3f8846a6bd62f0c9bf841c0d9eacc", "2dcccc29b88e6da5a01161ef20cda288",
                    "eeae80d0a227a8d099027e1b3cfd3b60", "50747347e05c87dd3aaf92c49f9f3170"}});
  flags.push_back({"organcmnist",
                   1,
                   kOrganClasses,
                   {12975, 2392, 8216},
                   false,
                   {"b9ceb9546e10131b32923c5bbeaea2b1", "3ce34a8724ea6f548e6db4744d03b6a9",
                    "773c1f009daa3fe5d9a2a201b2a7ed94", "050f5e875dc056f6768abf94ec9995d1"}});
  flags.push_back({"organsmnist",
                   1,
                   kOrganClasses,
                   {13932, 2452, 8827},
                   false,
                   {"9ab87b696fb54e2a387ebe992d6ed5f1", "53a6d115339d874c25e309a994ff46d3",
                    "ded0c5fa01a95dc4978b956f613e9b8e", "b354719e553fbbb2513d5533f52a4cb1"}});
  return flags;
}

}  // namespace

const std::vector<FlagInfo>& all_flags() {
  static const std::vector<FlagInfo> flags = make_flags();
  return flags;
}

const FlagInfo* find_flag(const std::string& name) {
  for (const FlagInfo& flag : all_flags()) {
    if (flag.name == name) return &flag;
  }
  return nullptr;
}

std::string supported_flag_list() {
  std::string list;
  for (const FlagInfo& flag : all_flags()) {
    if (flag.multi_label) continue;
    if (!list.empty()) list += ", ";
    list += flag.name;
  }
  return list;
}

std::string file_name(const std::string& flag, std::int64_t size) {
  return size == 28 ? flag + ".npz" : flag + "_" + std::to_string(size) + ".npz";
}

std::string published_md5(const FlagInfo& flag, std::int64_t size) {
  for (std::size_t i = 0; i < kPublishedSizes.size(); ++i) {
    if (kPublishedSizes[i] == size) return flag.md5[i];
  }
  return "";
}

}  // namespace ablate::medmnist
