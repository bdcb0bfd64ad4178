"""The coupon wallet in GraphQL: coupons, their templates."""
