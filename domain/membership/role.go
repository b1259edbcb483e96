// Package membership holds the rules of who belongs to an organization and what each role
// may do. It is pure: no I/O.
package membership

import (
	"errors"
	"fmt"
)

// Role is a member's role in an organization.
type Role string

// The roles, from most to least privileged.
const (
	Owner  Role = "owner"
	Admin  Role = "admin"
	Keeper Role = "keeper"
	Viewer Role = "viewer"
)

// Roles lists every role, most privileged first.
var Roles = []Role{Owner, Admin, Keeper, Viewer}

// ParseRole validates a role name.
func ParseRole(s string) (Role, error) {
	for _, r := range Roles {
		if string(r) == s {
			return r, nil
		}
	}
	return "", fmt.Errorf("%q is not a role (owner, admin, keeper, viewer)", s)
}

// rank orders roles: higher is more privileged.
func (r Role) rank() int {
	switch r {
	case Owner:
		return 4
	case Admin:
		return 3
	case Keeper:
		return 2
	case Viewer:
		return 1
	}
	return 0
}

// CanManageMembers reports whether the role may add, change and remove members.
func (r Role) CanManageMembers() bool { return r == Owner || r == Admin }

// Errors a membership change can be refused with.
var (
	ErrForbidden = errors.New("only owners and admins manage members")
	ErrOwnerOnly = errors.New("only an owner can grant, change or remove the owner role")
	ErrLastOwner = errors.New("an organization must keep at least one owner")
)

// CheckAdd decides whether actor may add a member with role.
func CheckAdd(actor, role Role) error {
	if !actor.CanManageMembers() {
		return ErrForbidden
	}
	if role == Owner && actor != Owner {
		return ErrOwnerOnly
	}
	return nil
}

// CheckChange decides whether actor may change a member from current to next, given how many
// owners the organization has.
func CheckChange(actor, current, next Role, owners int) error {
	if !actor.CanManageMembers() {
		return ErrForbidden
	}
	if (current == Owner || next == Owner) && actor != Owner {
		return ErrOwnerOnly
	}
	if current == Owner && next != Owner && owners <= 1 {
		return ErrLastOwner
	}
	return nil
}

// CheckRemove decides whether actor may remove a member holding role, given how many owners
// the organization has. Members may always remove themselves, unless they are the last owner.
func CheckRemove(actor, role Role, self bool, owners int) error {
	if !self && !actor.CanManageMembers() {
		return ErrForbidden
	}
	if !self && role == Owner && actor != Owner {
		return ErrOwnerOnly
	}
	if role == Owner && owners <= 1 {
		return ErrLastOwner
	}
	return nil
}

// AtLeast reports whether r is at least as privileged as min.
func (r Role) AtLeast(min Role) bool { return r.rank() >= min.rank() }
