package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/dcgan-gpu/dcgan-gpu/dcgan/eval"
	"github.com/dcgan-gpu/dcgan-gpu/dcgan/ref"
)

// classifierCommand groups the commands of the digit classifier that `eval` uses.
func classifierCommand() *cli.Command {
	return &cli.Command{
		Name:  "classifier",
		Usage: "train or test the digit classifier behind `eval`",
		Subcommands: []*cli.Command{
			{
				Name: "train",
				Usage: "train the classifier on the built-in MNIST (CPU, seeded); " +
					"--out " + eval.ShippedPath + " updates the shipped weights",
				Flags: []cli.Flag{
					&cli.StringFlag{Name: flagOut, Required: true,
						Usage: "weights file to write (safetensors)"},
					&cli.IntFlag{Name: flagEpochs, Value: 3, Usage: "passes over the 60000 images"},
					&cli.IntFlag{Name: flagBatch, Value: 64, Usage: "images per step"},
					&cli.Float64Flag{Name: flagLR, Value: 1e-3,
						Usage: "Adam learning rate (a tenth of it in the last epoch)"},
					&cli.Uint64Flag{Name: flagSeed, Value: 1, Usage: "seed of weights and shuffling"},
					&cli.IntFlag{Name: "limit", Usage: "train on the first N images only (0: all)"},
				},
				OnUsageError: onUsageError,
				Action:       classifierTrainAction,
			},
			{
				Name:  "test",
				Usage: "measure the classifier's accuracy on the MNIST test set",
				Flags: []cli.Flag{
					&cli.StringFlag{Name: "weights",
						Usage: "weights file (default: the weights built into this binary)"},
				},
				OnUsageError: onUsageError,
				Action:       classifierTestAction,
			},
		},
	}
}

func classifierTrainAction(c *cli.Context) error {
	if c.Int(flagEpochs) < 1 || c.Int(flagBatch) < 1 || !(c.Float64(flagLR) > 0) ||
		c.Int("limit") < 0 {
		return usageError("--epochs, --batch and --lr must be positive and --limit non-negative")
	}
	opts := eval.TrainOptions{
		Epochs: c.Int(flagEpochs),
		Batch:  c.Int(flagBatch),
		LR:     c.Float64(flagLR),
		Seed:   c.Uint64(flagSeed),
		Limit:  c.Int("limit"),
		OnEpoch: func(e int, loss float64) {
			fmt.Fprintf(c.App.ErrWriter, "epoch %d/%d | loss %.4f\n", e, c.Int(flagEpochs), loss)
		},
	}
	w := c.App.ErrWriter
	fmt.Fprintf(w, "training the digit classifier on MNIST train (32×32), %d epochs, batch %d, "+
		"lr %g, seed %d, %s\n", opts.Epochs, opts.Batch, opts.LR, opts.Seed, ref.BLASName())
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	start := time.Now()
	clf, res, err := eval.TrainClassifier(ctx, opts)
	if err != nil {
		return err
	}
	took := time.Since(start).Round(time.Second)
	acc, err := eval.TestAccuracy(clf)
	if err != nil {
		return err
	}
	meta := map[string]string{
		"epochs":        strconv.Itoa(opts.Epochs),
		"batch":         strconv.Itoa(opts.Batch),
		"lr":            strconv.FormatFloat(opts.LR, 'g', -1, 64),
		"seed":          strconv.FormatUint(opts.Seed, 10),
		"limit":         strconv.Itoa(opts.Limit),
		"steps":         strconv.Itoa(res.Steps),
		"train_loss":    strconv.FormatFloat(res.Loss, 'f', 5, 64),
		"test_accuracy": strconv.FormatFloat(acc, 'f', 4, 64),
		"blas":          ref.BLASName(),
		"made_by":       "dcgan-gpu classifier train",
	}
	if err := clf.Save(c.String(flagOut), meta); err != nil {
		return err
	}
	fmt.Fprintf(c.App.Writer, "test accuracy %.2f%% (%d steps in %v); weights in %s\n",
		100*acc, res.Steps, took, c.String(flagOut))
	return nil
}

func classifierTestAction(c *cli.Context) error {
	what := "built-in weights"
	acc, err := eval.ShippedTestAccuracy()
	if p := c.String("weights"); p != "" {
		what = p
		clf, err := eval.LoadClassifier(p, 256)
		if err != nil {
			return err
		}
		acc, err = eval.TestAccuracy(clf)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(c.App.Writer, "%s: MNIST test accuracy %.2f%% (10000 images)\n", what, 100*acc)
	return nil
}
