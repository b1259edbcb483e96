package api

import (
	"encoding/base64"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/jackc/pgx/v5"

	"github.com/reptidex/reptidex/domain/membership"
	"github.com/reptidex/reptidex/store"
)

type memberResponse struct {
	UserID      string    `json:"user_id"`
	Email       string    `json:"email"`
	DisplayName string    `json:"display_name"`
	Role        string    `json:"role"`
	Since       time.Time `json:"since"`
}

func toMember(m store.Member) memberResponse {
	return memberResponse{UserID: m.UserPublicID, Email: m.Email, DisplayName: m.DisplayName, Role: string(m.Role), Since: m.Since}
}

type memberList struct {
	Items      []memberResponse `json:"items"`
	NextCursor string           `json:"next_cursor,omitempty"`
}

// pageParams reads cursor pagination: an opaque cursor and a limit of 1 to 100 (default 50).
func pageParams(r *http.Request) (after string, limit int, err error) {
	limit = 50
	if v := r.URL.Query().Get("limit"); v != "" {
		n, convErr := strconv.Atoi(v)
		if convErr != nil || n < 1 || n > 100 {
			return "", 0, invalid(FieldError{"limit", "must be a whole number from 1 to 100"})
		}
		limit = n
	}
	if c := r.URL.Query().Get("cursor"); c != "" {
		b, decErr := base64.RawURLEncoding.DecodeString(c)
		if decErr != nil || len(b) == 0 {
			return "", 0, invalid(FieldError{"cursor", "is not a cursor this API issued"})
		}
		after = string(b)
	}
	return after, limit, nil
}

func cursorOf(key string) string { return base64.RawURLEncoding.EncodeToString([]byte(key)) }

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

type addMemberRequest struct {
	Email string `json:"email"`
	Role  string `json:"role"`
}

// addMember adds an existing user, found by email, with a role. Owners and admins only;
// only an owner grants the owner role.
func (s *Server) addMember(w http.ResponseWriter, r *http.Request) error {
	var req addMemberRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	var errs []FieldError
	req.Email = strings.TrimSpace(req.Email)
	if err := validEmail(req.Email); err != nil {
		errs = append(errs, FieldError{"email", err.Error()})
	}
	role, err := membership.ParseRole(req.Role)
	if err != nil {
		errs = append(errs, FieldError{"role", err.Error()})
	}
	if len(errs) > 0 {
		return invalid(errs...)
	}
	var out memberResponse
	err = s.withAccess(r, chi.URLParam(r, "orgID"), func(tx pgx.Tx, a access) error {
		ctx := r.Context()
		if err := membershipRefusal(membership.CheckAdd(a.Role, role)); err != nil {
			return err
		}
		u, err := store.UserByEmail(ctx, tx, req.Email)
		if errors.Is(err, store.ErrNotFound) {
			return invalid(FieldError{"email", "no ReptiDex account uses this email; they must register first"})
		}
		if err != nil {
			return err
		}
		if err := store.InsertMember(ctx, tx, u.ID, role); err != nil {
			if errors.Is(err, store.ErrConflict) {
				return newProblem(kindConflict, "This person is already a member; change their role instead.")
			}
			return err
		}
		if err := store.AppendEvent(ctx, tx, "member.added", "organization", a.OrgPublicID,
			map[string]string{"user_id": u.PublicID, "role": string(role)}); err != nil {
			return err
		}
		m, err := store.MemberByUserPublicID(ctx, tx, u.PublicID)
		out = toMember(m)
		return err
	})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, out)
}

type changeMemberRequest struct {
	Role string `json:"role"`
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
	err = s.withAccess(r, chi.URLParam(r, "orgID"), func(tx pgx.Tx, a access) error {
		ctx := r.Context()
		if !a.Role.CanManageMembers() {
			return membershipRefusal(membership.ErrForbidden)
		}
		target, err := store.MemberByUserPublicID(ctx, tx, chi.URLParam(r, "userID"))
		if errors.Is(err, store.ErrNotFound) {
			return notFound("member")
		}
		if err != nil {
			return err
		}
		current, err := store.MemberRole(ctx, tx, target.UserID)
		if err != nil {
			return err
		}
		owners, err := store.CountOwners(ctx, tx)
		if err != nil {
			return err
		}
		if err := membershipRefusal(membership.CheckChange(a.Role, current, role, owners)); err != nil {
			return err
		}
		if current != role {
			if err := store.UpdateMemberRole(ctx, tx, target.UserID, role); err != nil {
				return err
			}
			if err := store.AppendEvent(ctx, tx, "member.role_changed", "organization", a.OrgPublicID,
				map[string]string{"user_id": target.UserPublicID, "from": string(current), "to": string(role)}); err != nil {
				return err
			}
		}
		m, err := store.MemberByUserPublicID(ctx, tx, target.UserPublicID)
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
	err := s.withAccess(r, chi.URLParam(r, "orgID"), func(tx pgx.Tx, a access) error {
		ctx := r.Context()
		target, err := store.MemberByUserPublicID(ctx, tx, chi.URLParam(r, "userID"))
		if errors.Is(err, store.ErrNotFound) {
			return notFound("member")
		}
		if err != nil {
			return err
		}
		current, err := store.MemberRole(ctx, tx, target.UserID)
		if err != nil {
			return err
		}
		owners, err := store.CountOwners(ctx, tx)
		if err != nil {
			return err
		}
		if err := membershipRefusal(membership.CheckRemove(a.Role, current, target.UserID == a.UserID, owners)); err != nil {
			return err
		}
		if err := store.DeleteMember(ctx, tx, target.UserID); err != nil {
			return err
		}
		return store.AppendEvent(ctx, tx, "member.removed", "organization", a.OrgPublicID,
			map[string]string{"user_id": target.UserPublicID, "role": string(current)})
	})
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
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
