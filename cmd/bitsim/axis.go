package main

import (
	"fmt"
	"io"

	"github.com/bitsim/bitsim/render"
	"github.com/bitsim/bitsim/trace"
)

// axisFlag adds --axis to a command that can draw HTML.
func axisFlag(c *command) *string {
	return c.flags.String("axis", "events", "the HTML timeline's horizontal `axis`: events (trace order) or time (virtual time: one instant, one x)")
}

// withAxis applies --axis to the drawing function of --format: the HTML
// timeline on the chosen axis. Another axis than the default with another
// format is an error, not silently ignored.
func withAxis(draw drawFunc, format, axis string) (drawFunc, error) {
	ax, err := render.ParseAxis(axis)
	if err != nil {
		return nil, fmt.Errorf("--axis %s: want events or time", quote(axis))
	}
	if format != "html" {
		if ax != render.AxisEvents {
			return nil, fmt.Errorf("--axis applies to --format html only")
		}
		return draw, nil
	}
	return func(w io.Writer, recs []trace.Record, o render.Options) error {
		o.Axis = ax
		return render.HTMLWith(w, recs, o)
	}, nil
}
