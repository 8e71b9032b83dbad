//go:build cuda

package cuda

// #include <cuda.h>
import "C"

// Graph is a captured sequence of stream work, instantiated and ready to replay: one
// cuGraphLaunch then queues all of it at the cost of one call. gorgonia.org/cu does not
// wrap stream capture, so these calls are ours.
type Graph struct {
	g    C.CUgraph
	exec C.CUgraphExec
}

// BeginCapture starts recording the work queued on s instead of running it
// (cuStreamBeginCapture, thread-local mode: other threads' CUDA calls are not affected).
// Everything queued until EndCapture becomes part of the graph; nothing may synchronise s.
func (s *Stream) BeginCapture() error {
	if s == nil || !s.open {
		return ErrClosed
	}
	return check("cuStreamBeginCapture",
		C.cuStreamBeginCapture(s.c(), C.CU_STREAM_CAPTURE_MODE_THREAD_LOCAL))
}

// EndCapture stops recording on s (cuStreamEndCapture) and instantiates the graph
// (cuGraphInstantiateWithFlags).
func (s *Stream) EndCapture() (*Graph, error) {
	if s == nil || !s.open {
		return nil, ErrClosed
	}
	g := &Graph{}
	if err := check("cuStreamEndCapture", C.cuStreamEndCapture(s.c(), &g.g)); err != nil {
		return nil, err
	}
	if err := check("cuGraphInstantiateWithFlags",
		C.cuGraphInstantiateWithFlags(&g.exec, g.g, 0)); err != nil {
		C.cuGraphDestroy(g.g) // the instantiate error is the one to report
		return nil, err
	}
	return g, nil
}

// Launch queues the whole graph on s (cuGraphLaunch).
func (g *Graph) Launch(s *Stream) error {
	if g.exec == nil {
		return ErrClosed
	}
	return check("cuGraphLaunch", C.cuGraphLaunch(g.exec, s.c()))
}

// Close destroys the instantiated and the captured graph (cuGraphExecDestroy,
// cuGraphDestroy). Safe to call twice.
func (g *Graph) Close() error {
	if g.exec == nil {
		return nil
	}
	err := check("cuGraphExecDestroy", C.cuGraphExecDestroy(g.exec))
	if derr := check("cuGraphDestroy", C.cuGraphDestroy(g.g)); err == nil {
		err = derr
	}
	g.exec, g.g = nil, nil
	return err
}
