package notify

import (
	"fmt"
	"slices"
	"sort"
)

// Channel is a way of reaching a person.
type Channel string

// The channels.
const (
	InApp Channel = "in_app"
	Email Channel = "email"
	SMS   Channel = "sms"
)

// Channels lists every channel in the order escalation climbs them.
var Channels = []Channel{InApp, Email, SMS}

// ParseChannel reads a channel name.
func ParseChannel(s string) (Channel, error) {
	c := Channel(s)
	if !slices.Contains(Channels, c) {
		return "", fmt.Errorf("unknown channel %q (in_app, email or sms)", s)
	}
	return c, nil
}

// Type is a kind of notification: what it is for, whether it asks for an action, and which
// channels it uses unless the person chooses otherwise.
type Type struct {
	Name        string
	Description string
	// NeedsAction types are delivered in-app at once and escalated to email and SMS by the
	// escalation workflow until the action happens.
	NeedsAction bool
	// Defaults are the channels used when the person has not chosen.
	Defaults []Channel
	// Allowed are the channels a person may choose; SMS only for types worth a text.
	Allowed []Channel
	// Required types (account security) ignore preferences and carry no unsubscribe link.
	Required bool
	// Reason tells the recipient why they receive it, at the foot of an email.
	Reason string
}

// Allows reports whether the type may use a channel.
func (t Type) Allows(c Channel) bool { return slices.Contains(t.Allowed, c) }

// The notification types.
var types = map[string]Type{}

func define(t Type) {
	types[t.Name] = t
}

func init() {
	define(Type{Name: "account.email_verification", Description: "Confirm your email address",
		Defaults: []Channel{Email}, Allowed: []Channel{Email}, Required: true,
		Reason: "You receive this because this address was used to register on ReptiDex."})
	define(Type{Name: "account.phone_code", Description: "The code that confirms your phone number",
		Defaults: []Channel{SMS}, Allowed: []Channel{SMS}, Required: true,
		Reason: "You receive this because this number was added to a ReptiDex account."})
	define(Type{Name: "organization.invitation", Description: "An invitation to join an organization",
		Defaults: []Channel{Email}, Allowed: []Channel{Email},
		Reason: "You receive this because a member of an organization on ReptiDex invited this address."})
	define(Type{Name: "organization.message", Description: "Messages from your organization's owners and admins",
		Defaults: []Channel{InApp, Email}, Allowed: []Channel{InApp, Email},
		Reason: "You receive this because you are a member of an organization on ReptiDex."})
	define(Type{Name: "transfer.offered", Description: "An animal is offered to you and waits for your answer",
		NeedsAction: true, Defaults: []Channel{InApp, Email}, Allowed: []Channel{InApp, Email, SMS},
		Reason: "You receive this because a breeder on ReptiDex offered an animal to you."})
	define(Type{Name: "transfer.reminder", Description: "A reminder of an offer that still waits for your answer",
		Defaults: []Channel{InApp, Email}, Allowed: []Channel{InApp, Email, SMS},
		Reason: "You receive this because a breeder on ReptiDex offered an animal to you."})
	define(Type{Name: "transfer.outcome", Description: "How a transfer you are part of ended",
		Defaults: []Channel{InApp, Email}, Allowed: []Channel{InApp, Email},
		Reason: "You receive this because you are part of an animal transfer on ReptiDex."})
	define(Type{Name: "billing.payment", Description: "A subscription payment that failed, reminders while it is due, and its outcome",
		Defaults: []Channel{InApp, Email}, Allowed: []Channel{InApp, Email},
		Reason: "You receive this because you own or administer an organization that subscribes to ReptiDex."})
	define(Type{Name: "certificate.outcome", Description: "Whether a pedigree certificate you requested was issued, and when it is superseded",
		Defaults: []Channel{InApp, Email}, Allowed: []Channel{InApp, Email},
		Reason: "You receive this because you requested a pedigree certificate on ReptiDex."})
	define(Type{Name: "export.outcome", Description: "Whether an export of your organization's data you asked for is ready, with its download link",
		Defaults: []Channel{InApp, Email}, Allowed: []Channel{InApp, Email},
		Reason: "You receive this because you asked for an export of your organization's data on ReptiDex."})
	define(Type{Name: "account.data", Description: "Your personal data you asked for, and the deletion of your account",
		Defaults: []Channel{InApp, Email}, Allowed: []Channel{InApp, Email}, Required: true,
		Reason: "You receive this because you asked for your personal data, or to delete your account, on ReptiDex."})
	define(Type{Name: "organization.ownership", Description: "You became the owner of an organization when its last owner left ReptiDex",
		Defaults: []Channel{InApp, Email}, Allowed: []Channel{InApp, Email},
		Reason: "You receive this because you are a member of an organization on ReptiDex."})
	define(Type{Name: "import.outcome", Description: "What an import of animals you uploaded did, why it failed, or that it expired unapplied",
		Defaults: []Channel{InApp, Email}, Allowed: []Channel{InApp, Email},
		Reason: "You receive this because you uploaded a spreadsheet of animals to import on ReptiDex."})
	define(Type{Name: "certificate.revoked", Description: "A pedigree certificate of your organization was revoked",
		Defaults: []Channel{InApp, Email}, Allowed: []Channel{InApp, Email},
		Reason: "You receive this because you are an owner or admin of an organization on ReptiDex."})
	define(Type{Name: "organization.plan", Description: "Your organization's plan changed, and what that changes",
		Defaults: []Channel{InApp, Email}, Allowed: []Channel{InApp, Email},
		Reason: "You receive this because you are an owner of an organization on ReptiDex."})
	define(Type{Name: "sale.action", Description: "A sale you are part of waits for you to act (ship, confirm the arrival, decide a problem)",
		NeedsAction: true, Defaults: []Channel{InApp, Email}, Allowed: []Channel{InApp, Email, SMS},
		Reason: "You receive this because you are part of a sale on ReptiDex."})
	define(Type{Name: "sale.update", Description: "How a sale you are part of moves on, and how it ended",
		Defaults: []Channel{InApp, Email}, Allowed: []Channel{InApp, Email},
		Reason: "You receive this because you are part of a sale on ReptiDex."})
}

// LookupType finds a notification type by name.
func LookupType(name string) (Type, bool) {
	t, ok := types[name]
	return t, ok
}

// Types lists every notification type, by name.
func Types() []Type {
	out := make([]Type, 0, len(types))
	for _, t := range types {
		out = append(out, t)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}
