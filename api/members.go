package api

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/jackc/pgx/v5"

	"github.com/reptidex/reptidex/domain/membership"
	"github.com/reptidex/reptidex/store"
)

type memberResponse struct {
	// Public ID of the member's user.
	UserID      string `json:"user_id" jsonschema:"pattern=^[1-9A-HJ-NP-Za-km-z]+$"`
	Email       string `json:"email" jsonschema:"format=email"`
	DisplayName string `json:"display_name"`
	Role        string `json:"role" schema:"Role"`
	// When the user joined the organization.
	Since time.Time `json:"since"`
}

func toMember(m store.Member) memberResponse {
	return memberResponse{UserID: m.UserPublicID, Email: m.Email, DisplayName: m.DisplayName, Role: string(m.Role), Since: m.Since}
}

type memberList struct {
	// Up to limit members, ordered by user_id.
	Items []memberResponse `json:"items"`
	// Present only when more members follow: pass it as cursor for the next page.
	NextCursor string `json:"next_cursor,omitempty"`
}

// listMembers lists an organization's members, a page at a time. Any member may look.
func (s *Server) listMembers(w http.ResponseWriter, r *http.Request) error {
	after, limit, err := pageParams(r)
	if err != nil {
		return err
	}
	out := memberList{Items: []memberResponse{}}
	err = s.withAccess(r, chi.URLParam(r, "orgID"), func(tx pgx.Tx, _ access) error {
		members, err := store.ListMembers(r.Context(), tx, after, limit+1)
		if err != nil {
			return err
		}
		if len(members) > limit {
			members = members[:limit]
			out.NextCursor = cursorOf(members[limit-1].UserPublicID)
		}
		for _, m := range members {
			out.Items = append(out.Items, toMember(m))
		}
		return nil
	})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, out)
}

// emailAndRole checks the email address and role of a new member or invitation, naming
// every field at fault.
func emailAndRole(email, roleName string) (string, membership.Role, error) {
	var errs []FieldError
	email = strings.TrimSpace(email)
	if err := validEmail(email); err != nil {
		errs = append(errs, FieldError{"email", err.Error()})
	}
	role, err := membership.ParseRole(roleName)
	if err != nil {
		errs = append(errs, FieldError{"role", err.Error()})
	}
	if len(errs) > 0 {
		return "", "", invalid(errs...)
	}
	return email, role, nil
}

// addMember invites a person into an organization exactly as createInvitation does, and
// answers 202 Accepted with the invitation: nobody becomes a member without accepting, and
// the answer is the same whether or not the address has an account. It stays for clients
// written when this added existing users at once.
func (s *Server) addMember(w http.ResponseWriter, r *http.Request) error {
	inv, err := s.invite(r)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusAccepted, inv)
}

type changeMemberRequest struct {
	Role string `json:"role" jsonschema:"required" schema:"Role"`
}

// changeMember changes a member's role, keeping at least one owner.
func (s *Server) changeMember(w http.ResponseWriter, r *http.Request) error {
	var req changeMemberRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	role, err := membership.ParseRole(req.Role)
	if err != nil {
		return invalid(FieldError{"role", err.Error()})
	}
	var out memberResponse
	err = s.withMemberChange(r, func(tx pgx.Tx, a access, c memberChange) error {
		ctx := r.Context()
		if err := membershipRefusal(membership.CheckChange(a.Role, c.role, role, c.owners)); err != nil {
			return err
		}
		if c.role != role {
			if err := store.UpdateMemberRole(ctx, tx, c.target.UserID, role); err != nil {
				return err
			}
			if err := store.AppendEvent(ctx, tx, "member.role_changed", "organization", a.OrgPublicID,
				map[string]string{"user_id": c.target.UserPublicID, "from": string(c.role), "to": string(role)}); err != nil {
				return err
			}
		}
		m, err := store.MemberByUserPublicID(ctx, tx, c.target.UserPublicID)
		out = toMember(m)
		return err
	})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, out)
}

// removeMember removes a member; members may also remove themselves. The last owner stays.
func (s *Server) removeMember(w http.ResponseWriter, r *http.Request) error {
	err := s.withMemberChange(r, func(tx pgx.Tx, a access, c memberChange) error {
		ctx := r.Context()
		if err := membershipRefusal(membership.CheckRemove(a.Role, c.role, c.target.UserID == a.UserID, c.owners)); err != nil {
			return err
		}
		if err := store.DeleteMember(ctx, tx, c.target.UserID); err != nil {
			return err
		}
		return store.AppendEvent(ctx, tx, "member.removed", "organization", a.OrgPublicID,
			map[string]string{"user_id": c.target.UserPublicID, "role": string(c.role)})
	})
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// memberChange is the member a request changes, with the organization's memberships locked.
type memberChange struct {
	target store.Member
	role   membership.Role // the target's role, read under the lock
	owners int
}

// withMemberChange runs fn for the member named in the path of an organization the caller
// belongs to, with every membership of that organization locked.
func (s *Server) withMemberChange(r *http.Request, fn func(pgx.Tx, access, memberChange) error) error {
	return s.withAccess(r, chi.URLParam(r, "orgID"), func(tx pgx.Tx, a access) error {
		ctx := r.Context()
		roles, err := store.LockMembers(ctx, tx)
		if err != nil {
			return err
		}
		target, err := store.MemberByUserPublicID(ctx, tx, chi.URLParam(r, "userID"))
		if errors.Is(err, store.ErrNotFound) {
			return notFound("member")
		}
		if err != nil {
			return err
		}
		// The caller's own role as of the lock: a concurrent change may have lowered it.
		a.Role = roles[a.UserID]
		return fn(tx, a, memberChange{target: target, role: roles[target.UserID], owners: store.CountRole(roles, membership.Owner)})
	})
}

// membershipRefusal turns a membership rule's refusal into its problem.
func membershipRefusal(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, membership.ErrLastOwner):
		return newProblem(kindConflict, err.Error()+".")
	case errors.Is(err, membership.ErrForbidden), errors.Is(err, membership.ErrOwnerOnly):
		return newProblem(kindForbidden, err.Error()+".")
	}
	return err
}
