package fileerr

import "testing"

func TestError(t *testing.T) {
	for _, tt := range []struct {
		err  *Error
		want string
	}{
		{&Error{Path: "breakglass.yaml", Line: 3, Msg: "unknown field"}, "breakglass.yaml:3: unknown field"},
		{&Error{Path: "breakglass.yaml", Msg: "cannot read config"}, "breakglass.yaml: cannot read config"},
	} {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("Error() = %q, want %q", got, tt.want)
		}
	}
}
