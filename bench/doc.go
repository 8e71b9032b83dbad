// Package bench measures the DCGAN training step: ours on each backend against PyTorch
// running the same architecture and step on the same machine in the same run.
//
// A sweep is a list of Rows (image shape × device × batch). For each row the suite runs
// one Job on our backend — normally in a child process, so that the peak RSS it reports
// belongs to that configuration alone — and the same Job in PyTorch through the embedded
// script torch_bench.py. Results are written as Markdown, CSV, JSON and a PNG chart of
// img/s against batch.
//
// NOTE [warm-up]: the first steps of a run are not timed. They fault in the activation
// buffers, let OpenBLAS start its threads and, on a GPU, let cuDNN (ours and PyTorch's
// benchmark mode) pick its algorithms; a run of a few steps that included them would
// report a setup cost as a step cost. After the warm-up every step is timed on its own,
// and the table gives the median with the fastest and slowest step beside it, so a
// machine shared with other work shows up as a wide spread rather than a wrong median.
//
// NOTE [repetitions]: a job times reps = clamp(ceil(Target / last warm-up step), MinReps,
// MaxReps) steps, the same rule on both sides, so cheap configurations get many steps and
// the expensive ones (128×128×3 on a CPU takes seconds per step) still fit the budget.
//
// The flop count of a step is dcgan.StepFLOPs; see NOTE [step flop count] there.
package bench
