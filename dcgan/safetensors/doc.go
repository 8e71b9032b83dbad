// Package safetensors reads and writes the safetensors format of Hugging Face: an 8-byte
// little-endian header length, a JSON header naming each tensor's dtype, shape and byte range,
// an optional "__metadata__" map of strings, then the raw little-endian tensor bytes.
//
// Parse is strict: it accepts only files whose every byte is accounted for (tensors lie
// back to back, without gaps or overlaps, and fill the data section exactly), and it never
// panics, whatever the input (it is fuzzed). Bytes writes tensors sorted by name and pads the
// header with spaces to a multiple of 8 bytes, so the data section stays aligned.
//
// Files written here load with the Python package (safetensors.torch.load_file) and, for a
// generator, straight into PyTorch's load_state_dict.
package safetensors
