package membership_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reptidex/reptidex/domain/membership"
)

const (
	owner  = membership.Owner
	admin  = membership.Admin
	keeper = membership.Keeper
	viewer = membership.Viewer
)

var allRoles = []membership.Role{owner, admin, keeper, viewer}

// requireOutcome checks err is nil when want is empty, else that it is one of want.
func requireOutcome(t *testing.T, err error, want ...error) {
	t.Helper()
	if len(want) == 0 {
		require.NoError(t, err)
		return
	}
	require.Error(t, err)
	for _, w := range want {
		if errors.Is(err, w) {
			return
		}
	}
	require.Failf(t, "unexpected error", "got %v, want one of %v", err, want)
}

func TestParseRole(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		want    membership.Role
		wantErr bool
	}{
		{"owner", owner, false},
		{"admin", admin, false},
		{"keeper", keeper, false},
		{"viewer", viewer, false},
		{"", "", true},
		{"Owner", "", true},
		{" admin", "", true},
		{"superuser", "", true},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%q", tt.in), func(t *testing.T) {
			t.Parallel()
			got, err := membership.ParseRole(tt.in)
			if tt.wantErr {
				require.Error(t, err)
				require.ErrorContains(t, err, fmt.Sprintf("%q", tt.in))
				require.Empty(t, got)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
		})
	}
}

func TestRole_CanManageMembersOnlyOwnersAndAdmins(t *testing.T) {
	t.Parallel()
	want := map[membership.Role]bool{owner: true, admin: true, keeper: false, viewer: false, "": false}
	for r, ok := range want {
		require.Equal(t, ok, r.CanManageMembers(), "role %q", r)
	}
}

func TestRole_AtLeastFollowsPrivilegeOrder(t *testing.T) {
	t.Parallel()
	// allRoles is ordered most privileged first.
	for i, r := range allRoles {
		for j, min := range allRoles {
			require.Equal(t, i <= j, r.AtLeast(min), "%s.AtLeast(%s)", r, min)
		}
	}
	require.False(t, membership.Role("bogus").AtLeast(viewer))
}

func TestCheckAdd_TruthTable(t *testing.T) {
	t.Parallel()
	tests := []struct {
		actor, role membership.Role
		want        error
	}{
		{owner, owner, nil},
		{owner, admin, nil},
		{owner, keeper, nil},
		{owner, viewer, nil},
		{admin, owner, membership.ErrOwnerOnly},
		{admin, admin, nil},
		{admin, keeper, nil},
		{admin, viewer, nil},
		{keeper, owner, membership.ErrForbidden},
		{keeper, admin, membership.ErrForbidden},
		{keeper, keeper, membership.ErrForbidden},
		{keeper, viewer, membership.ErrForbidden},
		{viewer, owner, membership.ErrForbidden},
		{viewer, admin, membership.ErrForbidden},
		{viewer, keeper, membership.ErrForbidden},
		{viewer, viewer, membership.ErrForbidden},
	}
	require.Len(t, tests, len(allRoles)*len(allRoles), "every actor x role")
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s adds %s", tt.actor, tt.role), func(t *testing.T) {
			t.Parallel()
			err := membership.CheckAdd(tt.actor, tt.role)
			if tt.want == nil {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, tt.want)
		})
	}
}

func TestCheckChange_TruthTable(t *testing.T) {
	t.Parallel()
	// The rules, stated from the product's point of view:
	//   - viewers and keepers cannot manage members at all;
	//   - only an owner may touch the owner role (as the current or the next role);
	//   - the last owner can never be demoted.
	expect := func(actor, current, next membership.Role, owners int) error {
		switch actor {
		case viewer, keeper:
			return membership.ErrForbidden
		case admin:
			if current == owner || next == owner {
				return membership.ErrOwnerOnly
			}
			return nil
		}
		if current == owner && next != owner && owners == 1 {
			return membership.ErrLastOwner
		}
		return nil
	}
	n := 0
	for _, actor := range allRoles {
		for _, current := range allRoles {
			for _, next := range allRoles {
				for _, owners := range []int{1, 2} {
					n++
					name := fmt.Sprintf("%s changes %s to %s with %d owners", actor, current, next, owners)
					want := expect(actor, current, next, owners)
					t.Run(name, func(t *testing.T) {
						t.Parallel()
						err := membership.CheckChange(actor, current, next, owners)
						if want == nil {
							require.NoError(t, err)
							return
						}
						require.ErrorIs(t, err, want)
					})
				}
			}
		}
	}
	require.Equal(t, 4*4*4*2, n)
}

func TestCheckChange_NamedRules(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name                 string
		actor, current, next membership.Role
		owners               int
		want                 []error
	}{
		{"owner promotes admin to owner", owner, admin, owner, 1, nil},
		{"owner demotes another owner when there are two", owner, owner, admin, 2, nil},
		{"owner cannot demote the last owner, even themselves", owner, owner, viewer, 1, []error{membership.ErrLastOwner}},
		{"last owner keeping owner is a no-op", owner, owner, owner, 1, nil},
		{"zero owners counted still protects the owner", owner, owner, keeper, 0, []error{membership.ErrLastOwner}},
		{"admin cannot grant owner", admin, keeper, owner, 2, []error{membership.ErrOwnerOnly}},
		{"admin cannot demote an owner", admin, owner, admin, 3, []error{membership.ErrOwnerOnly}},
		{"admin cannot demote the last owner", admin, owner, viewer, 1, []error{membership.ErrOwnerOnly, membership.ErrLastOwner}},
		{"admin promotes keeper to admin", admin, keeper, admin, 1, nil},
		{"admin demotes another admin", admin, admin, viewer, 1, nil},
		{"keeper cannot change anyone", keeper, viewer, keeper, 1, []error{membership.ErrForbidden}},
		{"viewer cannot promote themselves", viewer, viewer, owner, 1, []error{membership.ErrForbidden}},
		{"unknown actor role cannot manage", membership.Role("bogus"), viewer, keeper, 1, []error{membership.ErrForbidden}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			requireOutcome(t, membership.CheckChange(tt.actor, tt.current, tt.next, tt.owners), tt.want...)
		})
	}
}

func TestCheckRemove_TruthTable(t *testing.T) {
	t.Parallel()
	// want lists the acceptable refusals; empty means allowed. Where two rules both refuse
	// (a keeper removing the last owner), either reason is acceptable.
	lastOwnerOr := func(errs ...error) []error { return append([]error{membership.ErrLastOwner}, errs...) }
	type row struct {
		actor, role membership.Role
		self        bool
		owners      int
		want        []error
	}
	var tests []row
	for _, owners := range []int{1, 2} {
		for _, actor := range allRoles {
			for _, role := range allRoles {
				var want []error
				switch {
				case role == owner && owners == 1 && (actor == owner || actor == admin):
					if actor == owner {
						want = []error{membership.ErrLastOwner}
					} else {
						want = lastOwnerOr(membership.ErrOwnerOnly)
					}
				case role == owner && owners == 1:
					want = lastOwnerOr(membership.ErrForbidden)
				case actor == keeper || actor == viewer:
					want = []error{membership.ErrForbidden}
				case role == owner && actor == admin:
					want = []error{membership.ErrOwnerOnly}
				}
				tests = append(tests, row{actor, role, false, owners, want})
			}
			// Removing oneself: the actor holds the role being removed.
			var want []error
			if actor == owner && owners == 1 {
				want = []error{membership.ErrLastOwner}
			}
			tests = append(tests, row{actor, actor, true, owners, want})
		}
	}
	require.Len(t, tests, 2*(4*4+4))
	for _, tt := range tests {
		name := fmt.Sprintf("%s removes %s (self=%t) with %d owners", tt.actor, tt.role, tt.self, tt.owners)
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			requireOutcome(t, membership.CheckRemove(tt.actor, tt.role, tt.self, tt.owners), tt.want...)
		})
	}
}

func TestCheckRemove_NamedRules(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		actor, role membership.Role
		self        bool
		owners      int
		want        []error
	}{
		{"viewer removes themselves", viewer, viewer, true, 1, nil},
		{"keeper removes themselves", keeper, keeper, true, 1, nil},
		{"viewer cannot remove another viewer", viewer, viewer, false, 1, []error{membership.ErrForbidden}},
		{"keeper cannot remove a viewer", keeper, viewer, false, 1, []error{membership.ErrForbidden}},
		{"last owner cannot leave", owner, owner, true, 1, []error{membership.ErrLastOwner}},
		{"one of two owners may leave", owner, owner, true, 2, nil},
		{"owner removes another owner when there are two", owner, owner, false, 2, nil},
		{"admin cannot remove an owner", admin, owner, false, 2, []error{membership.ErrOwnerOnly}},
		{"admin removes a keeper", admin, keeper, false, 1, nil},
		{"admin removes another admin", admin, admin, false, 1, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			requireOutcome(t, membership.CheckRemove(tt.actor, tt.role, tt.self, tt.owners), tt.want...)
		})
	}
}
