package gpu

import "testing"

func TestArenaPlan(t *testing.T) {
	var p ArenaPlan
	if p.Bytes() != 4 {
		t.Errorf("empty plan: %d bytes, want one element", p.Bytes())
	}
	a := p.Add("main.0.weight", 100*512*16) // 819200: a multiple of 64
	b := p.Add("main.1.weight", 3)
	c := p.Add("main.1.bias", 3)
	d := p.Add("empty", 0)
	want := []Slot{
		{"main.0.weight", 0, 819200},
		{"main.1.weight", 819200, 3},
		{"main.1.bias", 819264, 3},
		{"empty", 819328, 0},
	}
	for i, s := range []int{a, b, c, d} {
		if p.Slots[s] != want[i] {
			t.Errorf("slot %d: got %+v, want %+v", i, p.Slots[s], want[i])
		}
		if p.Slots[s].Offset%ArenaAlign != 0 {
			t.Errorf("slot %d not aligned: offset %d", i, p.Slots[s].Offset)
		}
	}
	if p.Len != 819328 || p.Used() != 819206 || p.Bytes() != 819328*4 {
		t.Errorf("len %d used %d bytes %d", p.Len, p.Used(), p.Bytes())
	}
	// Slots never overlap.
	for i := 1; i < len(p.Slots); i++ {
		prev := p.Slots[i-1]
		if p.Slots[i].Offset < prev.Offset+prev.Len {
			t.Errorf("slot %d overlaps slot %d", i, i-1)
		}
	}
}
