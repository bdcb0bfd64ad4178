"""The member's coupon wallet: templates, coupons issued from them, and their use at the till or counter."""
