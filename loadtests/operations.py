"""The GraphQL operations the load tests send, as a frontend would: shared by the Locust suite and bench_cpu."""

# Payload error codes that are business answers, not failures of the run (OUT_OF_STOCK in a rush).
EXPECTED_OUTCOMES = {
    "OUT_OF_STOCK", "INSUFFICIENT_POINTS", "MEMBER_LIMIT_REACHED", "ALREADY_CHECKED_IN", "NOT_ELIGIBLE",
    "RATE_LIMITED", "NOT_AVAILABLE", "ALREADY_FULFILLED", "DRAW_LIMIT_REACHED", "GOAL_REACHED",
}

MALL_ITEMS = """query MallItems($first: Int, $after: String) { mallItems(first: $first, after: $after) {
  edges { node { id name band kind stockRemaining perMemberLimit effectivePrice { points cash { amount currency } } } }
  pageInfo { hasNextPage endCursor } } }"""
BALANCE = "query Balance { me { pointsBalance pendingPoints tier { code } } }"
HISTORY = "query History { me { pointsHistory(first: 20) { edges { node { kind points occurredAt } } } } }"
CHECK_IN = "mutation CheckIn { checkIn(input: {}) { pointsAwarded streakDays errors { code } } }"
LOOKUP = "query ScanMember($code: String!) { member(code: $code) { id code name tier { code } pointsBalance } }"
REDEEM = """mutation RedeemMallItem($i: RedeemMallItemInput!) { redeemMallItem(input: $i) {
  redemption { id code status pointsSpent } member { pointsBalance } errors { code field message } } }"""
DRAW_LOTTERY = """mutation DrawLottery($i: DrawLotteryInput!) { drawLottery(input: $i) {
  draw { id nonce prize { id name kind } coupon { code } } member { pointsBalance } errors { code field message } } }"""
OPEN_LOTTERIES = """query OpenLotteries { lotteries(first: 20, filter: {status: OPEN}) { edges { node {
  id name pointsPerDraw status seedCommitment odds { prize { id name kind } probability stockRemaining } } } } }"""
RECORD = """mutation RecordPurchase($i: RecordPurchaseInput!) { recordPurchase(input: $i) {
  purchase { id pointsEarned } member { pointsBalance } errors { code field message } } }"""
RESTOCK = """mutation RestockMallItem($i: RestockMallItemInput!) { restockMallItem(input: $i) {
  item { id stockRemaining } errors { code message } } }"""
STAFF_LOGIN = "mutation StaffLogin($i: StaffLoginInput!) { staffLogin(input: $i) { token expiresAt refreshToken errors { code } } }"
REFRESH_STAFF_SESSION = ("mutation RefreshStaffSession($i: RefreshStaffSessionInput!) { refreshStaffSession(input: $i) "
                         "{ token expiresAt refreshToken errors { code } } }")
DONATE = """mutation DonatePoints($i: DonatePointsInput!) { donatePoints(input: $i) {
  donation { id points matchedPoints certificateCode } project { raisedPoints donorCount } member { pointsBalance }
  errors { code field message } } }"""
OPEN_PROJECTS = """query CharityProjects { charityProjects(first: 20, filter: {status: OPEN}) {
  edges { node { id name raisedPoints donorCount progress } } } }"""
