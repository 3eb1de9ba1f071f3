<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="vi">
<context>
    <name>Age</name>
    <message>
        <source>{0} s</source>
        <translation>{0} giây</translation>
    </message>
    <message>
        <source>{0} min</source>
        <translation>{0} phút</translation>
    </message>
    <message>
        <source>{0} h</source>
        <translation>{0} giờ</translation>
    </message>
    <message>
        <source>{0} d</source>
        <translation>{0} ngày</translation>
    </message>
</context>
<context>
    <name>ApprovalChain</name>
    <message>
        <source>Step</source>
        <translation>Bước</translation>
    </message>
    <message>
        <source>Role</source>
        <translation>Vai trò</translation>
    </message>
    <message>
        <source>Signed by</source>
        <translation>Người ký</translation>
    </message>
    <message>
        <source>Signed at</source>
        <translation>Thời điểm ký</translation>
    </message>
    <message>
        <source>Comment</source>
        <translation>Ghi chú</translation>
    </message>
    <message>
        <source>Approval</source>
        <translation>Phê duyệt</translation>
    </message>
    <message>
        <source>Approved at once by the system: {reason}</source>
        <translation>Hệ thống phê duyệt ngay: {reason}</translation>
    </message>
    <message>
        <source>Signatures needed: {reason}</source>
        <translation>Cần chữ ký: {reason}</translation>
    </message>
    <message>
        <source>{step} of {steps}</source>
        <translation>{step}/{steps}</translation>
    </message>
    <message>
        <source>awaiting signature</source>
        <translation>đang chờ ký</translation>
    </message>
    <message>
        <source>{name} ({role})</source>
        <translation>{name} ({role})</translation>
    </message>
</context>
<context>
    <name>BootProgress</name>
    <message>
        <source>Starting the embedded Temporal server on {address}…</source>
        <translation>Đang khởi động máy chủ Temporal nhúng tại {address}…</translation>
    </message>
    <message>
        <source>Connecting to Temporal at {address}…</source>
        <translation>Đang kết nối tới Temporal tại {address}…</translation>
    </message>
    <message>
        <source>Starting the embedded worker…</source>
        <translation>Đang khởi động bộ xử lý nhúng…</translation>
    </message>
    <message>
        <source>Ready: Temporal at {address}</source>
        <translation>Sẵn sàng: Temporal tại {address}</translation>
    </message>
    <message>
        <source>The embedded Temporal server could not start on {address}: {error}. Fix the cause (or set ORDER_DESK_TEMPORAL_ADDRESS to a running server) and press Retry.</source>
        <translation>Không khởi động được máy chủ Temporal nhúng tại {address}: {error}. Hãy khắc phục nguyên nhân (hoặc đặt ORDER_DESK_TEMPORAL_ADDRESS trỏ tới một máy chủ đang chạy) rồi bấm Thử lại.</translation>
    </message>
    <message>
        <source>Temporal at {address} could not be reached: {error}</source>
        <translation>Không kết nối được tới Temporal tại {address}: {error}</translation>
    </message>
    <message>
        <source>{error}. Check that the server is running and that ORDER_DESK_TEMPORAL_ADDRESS is right, then press Retry.</source>
        <translation>{error}. Hãy kiểm tra máy chủ có đang chạy và ORDER_DESK_TEMPORAL_ADDRESS có đúng không, rồi bấm Thử lại.</translation>
    </message>
    <message>
        <source>Order Desk cannot open this desk&apos;s ledger: {error}.</source>
        <translation>Order Desk không mở được sổ cái của bàn làm việc này: {error}.</translation>
    </message>
    <message>
        <source>This desk&apos;s ledger has users, so it belongs to a team server: there, who you are comes from your personal token, never from this computer&apos;s settings. Sign in to the team server with your token (File → Connect to server…).</source>
        <translation>Sổ cái của bàn làm việc này đã có người dùng, nên nó thuộc về một máy chủ của nhóm: ở đó, bạn là ai do mã truy cập cá nhân của bạn quyết định, không bao giờ do cài đặt của máy tính này. Hãy đăng nhập vào máy chủ của nhóm bằng mã truy cập của bạn (Tệp → Kết nối tới máy chủ…).</translation>
    </message>
</context>
<context>
    <name>BulkDialog</name>
    <message>
        <source>Approving orders</source>
        <translation>Đang phê duyệt đơn hàng</translation>
    </message>
    <message>
        <source>Rejecting orders</source>
        <translation>Đang từ chối đơn hàng</translation>
    </message>
    <message>
        <source>Cancelling orders</source>
        <translation>Đang hủy đơn hàng</translation>
    </message>
    <message>
        <source>Order ID</source>
        <translation>Mã đơn</translation>
    </message>
    <message>
        <source>Item</source>
        <translation>Mặt hàng</translation>
    </message>
    <message>
        <source>Outcome</source>
        <translation>Kết quả</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>Lý do</translation>
    </message>
    <message>
        <source>Waiting…</source>
        <translation>Đang chờ…</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Đóng</translation>
    </message>
    <message>
        <source>Refused</source>
        <translation>Không thực hiện được</translation>
    </message>
    <message>
        <source>{done} of {total} done…</source>
        <translation>Đã xong {done}/{total}…</translation>
    </message>
</context>
<context>
    <name>ConnectDialog</name>
    <message>
        <source>Connect to a team server</source>
        <translation>Kết nối tới máy chủ của nhóm</translation>
    </message>
    <message>
        <source>&amp;Server:</source>
        <translation>&amp;Máy chủ:</translation>
    </message>
    <message>
        <source>&amp;Token:</source>
        <translation>&amp;Mã truy cập:</translation>
    </message>
    <message>
        <source>https://orders.example.com:8000</source>
        <translation>https://donhang.example.com:8000</translation>
    </message>
    <message>
        <source>Your personal token (odt_…)</source>
        <translation>Mã truy cập cá nhân của bạn (odt_…)</translation>
    </message>
    <message>
        <source>This computer has no keyring: your token will be kept for this session only.</source>
        <translation>Máy tính này không có kho khóa (keyring): mã truy cập của bạn chỉ được giữ trong phiên này.</translation>
    </message>
    <message>
        <source>Your token is kept in this computer&apos;s keyring.</source>
        <translation>Mã truy cập của bạn được giữ trong kho khóa (keyring) của máy tính này.</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Hủy</translation>
    </message>
    <message>
        <source>Sign in</source>
        <translation>Đăng nhập</translation>
    </message>
    <message>
        <source>Enter the server&apos;s address and your token.</source>
        <translation>Nhập địa chỉ máy chủ và mã truy cập của bạn.</translation>
    </message>
</context>
<context>
    <name>Deciding</name>
    <message>
        <source>Could not decide on {order}: {error}</source>
        <translation>Không xử lý được đơn {order}: {error}</translation>
    </message>
    <message>
        <source>The decisions could not all be sent: {error}</source>
        <translation>Không gửi được hết các quyết định: {error}</translation>
    </message>
</context>
<context>
    <name>DecisionActions</name>
    <message>
        <source>&amp;Approve</source>
        <translation>&amp;Phê duyệt</translation>
    </message>
    <message>
        <source>&amp;Reject…</source>
        <translation>&amp;Từ chối…</translation>
    </message>
    <message>
        <source>&amp;Cancel order</source>
        <translation>&amp;Hủy đơn</translation>
    </message>
    <message>
        <source>Approve the selected orders ({shortcut})</source>
        <translation>Phê duyệt các đơn đã chọn ({shortcut})</translation>
    </message>
    <message>
        <source>Reject the selected orders, with a reason ({shortcut})</source>
        <translation>Từ chối các đơn đã chọn, kèm lý do ({shortcut})</translation>
    </message>
    <message>
        <source>Cancel the selected orders ({shortcut})</source>
        <translation>Hủy các đơn đã chọn ({shortcut})</translation>
    </message>
</context>
<context>
    <name>DecisionDialog</name>
    <message>
        <source>Approve orders</source>
        <translation>Phê duyệt đơn hàng</translation>
    </message>
    <message>
        <source>Reject orders</source>
        <translation>Từ chối đơn hàng</translation>
    </message>
    <message>
        <source>Cancel orders</source>
        <translation>Hủy đơn hàng</translation>
    </message>
    <message>
        <source>Approve order {order} ({item})?</source>
        <translation>Phê duyệt đơn {order} ({item})?</translation>
    </message>
    <message>
        <source>Reject order {order} ({item})?</source>
        <translation>Từ chối đơn {order} ({item})?</translation>
    </message>
    <message>
        <source>Cancel order {order} ({item})?</source>
        <translation>Hủy đơn {order} ({item})?</translation>
    </message>
    <message>
        <source>Approve these {count} orders?</source>
        <translation>Phê duyệt {count} đơn này?</translation>
    </message>
    <message>
        <source>Reject these {count} orders?</source>
        <translation>Từ chối {count} đơn này?</translation>
    </message>
    <message>
        <source>Cancel these {count} orders?</source>
        <translation>Hủy {count} đơn này?</translation>
    </message>
    <message>
        <source>Approve</source>
        <translation>Phê duyệt</translation>
    </message>
    <message>
        <source>Reject</source>
        <translation>Từ chối</translation>
    </message>
    <message>
        <source>Reason (optional), e.g. over budget</source>
        <translation>Lý do (không bắt buộc), ví dụ: vượt ngân sách</translation>
    </message>
    <message>
        <source>Go back</source>
        <translation>Quay lại</translation>
    </message>
    <message>
        <source>…and {count} more</source>
        <translation>…và {count} đơn khác</translation>
    </message>
</context>
<context>
    <name>DeskController</name>
    <message>
        <source>Refreshing the orders failed: {error}. Retrying…</source>
        <translation>Làm mới danh sách đơn thất bại: {error}. Đang thử lại…</translation>
    </message>
    <message>
        <source>The order was not created: {error}</source>
        <translation>Chưa tạo được đơn: {error}</translation>
    </message>
    <message>
        <source>Created order {order}: {quantity} × {item}</source>
        <translation>Đã tạo đơn {order}: {quantity} × {item}</translation>
    </message>
    <message>
        <source>Exporting orders: {done} of {total}…</source>
        <translation>Đang xuất đơn hàng: {done}/{total}…</translation>
    </message>
    <message>
        <source>Exported {count} orders to {path}.</source>
        <translation>Đã xuất {count} đơn hàng vào {path}.</translation>
    </message>
    <message>
        <source>Exporting orders…</source>
        <translation>Đang xuất đơn hàng…</translation>
    </message>
    <message>
        <source>The export failed, nothing was written to {path}: {error}</source>
        <translation>Xuất thất bại, chưa ghi gì vào {path}: {error}</translation>
    </message>
    <message>
        <source>Stopping the worker and the Temporal server…</source>
        <translation>Đang dừng bộ xử lý và máy chủ Temporal…</translation>
    </message>
</context>
<context>
    <name>DeskStatusBar</name>
    <message>
        <source>not started</source>
        <translation>chưa khởi động</translation>
    </message>
    <message>
        <source>starting…</source>
        <translation>đang khởi động…</translation>
    </message>
    <message>
        <source>stopping…</source>
        <translation>đang dừng…</translation>
    </message>
    <message>
        <source>running</source>
        <translation>đang chạy</translation>
    </message>
    <message>
        <source>stopped</source>
        <translation>đã dừng</translation>
    </message>
    <message>
        <source>stopped (failed)</source>
        <translation>đã dừng (lỗi)</translation>
    </message>
    <message>
        <source>not embedded</source>
        <translation>không nhúng</translation>
    </message>
    <message>
        <source>waiting for Temporal</source>
        <translation>đang chờ Temporal</translation>
    </message>
    <message>
        <source>not configured</source>
        <translation>chưa cấu hình</translation>
    </message>
    <message>
        <source>Temporal stopped — waiting for it…</source>
        <translation>Temporal đã dừng — đang chờ…</translation>
    </message>
    <message>
        <source>Temporal stopped — restarting…</source>
        <translation>Temporal đã dừng — đang khởi động lại…</translation>
    </message>
    <message>
        <source>Temporal: {address}</source>
        <translation>Temporal: {address}</translation>
    </message>
    <message>
        <source>Temporal: {address} (not connected)</source>
        <translation>Temporal: {address} (chưa kết nối)</translation>
    </message>
    <message>
        <source>Temporal at {address}: attempt {attempt} to restart it failed: {error}</source>
        <translation>Temporal tại {address}: lần khởi động lại thứ {attempt} thất bại: {error}</translation>
    </message>
    <message>
        <source>Temporal at {address} stopped: {error}</source>
        <translation>Temporal tại {address} đã dừng: {error}</translation>
    </message>
    <message>
        <source>Worker: {state}</source>
        <translation>Bộ xử lý: {state}</translation>
    </message>
    <message>
        <source>The embedded worker failed: {error}</source>
        <translation>Bộ xử lý nhúng gặp lỗi: {error}</translation>
    </message>
    <message>
        <source>Embedded worker on task queue {queue}</source>
        <translation>Bộ xử lý nhúng trên hàng đợi tác vụ {queue}</translation>
    </message>
    <message>
        <source>1 order stuck on the ledger</source>
        <translation>1 đơn bị kẹt khi ghi sổ cái</translation>
    </message>
    <message>
        <source>{count} orders stuck on the ledger</source>
        <translation>{count} đơn bị kẹt khi ghi sổ cái</translation>
    </message>
    <message>
        <source>… and {count} more</source>
        <translation>… và {count} đơn khác</translation>
    </message>
    <message>
        <source>Their ledger writes keep failing; each is retried until the cause is fixed:
{orders}</source>
        <translation>Ghi sổ cái cho các đơn này liên tục thất bại; mỗi đơn được thử lại cho đến khi nguyên nhân được khắc phục:
{orders}</translation>
    </message>
    <message>
        <source>Not refreshed yet</source>
        <translation>Chưa làm mới</translation>
    </message>
    <message>
        <source>Refreshed {time}</source>
        <translation>Làm mới lúc {time}</translation>
    </message>
    <message>
        <source>{refreshed}: the list may be out of date</source>
        <translation>{refreshed}: danh sách có thể đã cũ</translation>
    </message>
</context>
<context>
    <name>DetailLoader</name>
    <message>
        <source>no worker answered; is a worker running?</source>
        <translation>không có bộ xử lý nào trả lời; bộ xử lý có đang chạy không?</translation>
    </message>
</context>
<context>
    <name>DetailPane</name>
    <message>
        <source>Item:</source>
        <translation>Mặt hàng:</translation>
    </message>
    <message>
        <source>Quantity:</source>
        <translation>Số lượng:</translation>
    </message>
    <message>
        <source>Unit price:</source>
        <translation>Đơn giá:</translation>
    </message>
    <message>
        <source>Amount:</source>
        <translation>Thành tiền:</translation>
    </message>
    <message>
        <source>Status:</source>
        <translation>Trạng thái:</translation>
    </message>
    <message>
        <source>Awaiting:</source>
        <translation>Đang chờ:</translation>
    </message>
    <message>
        <source>Created by:</source>
        <translation>Người tạo:</translation>
    </message>
    <message>
        <source>Created at:</source>
        <translation>Tạo lúc:</translation>
    </message>
    <message>
        <source>Updated at:</source>
        <translation>Cập nhật lúc:</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>Thời gian</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Trạng thái</translation>
    </message>
    <message>
        <source>Actor</source>
        <translation>Người thực hiện</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>Lý do</translation>
    </message>
    <message>
        <source>Select an order to see its details and history.</source>
        <translation>Chọn một đơn để xem chi tiết và lịch sử.</translation>
    </message>
    <message>
        <source>History</source>
        <translation>Lịch sử</translation>
    </message>
    <message>
        <source>Open in Temporal Web UI</source>
        <translation>Mở trong Temporal Web UI</translation>
    </message>
    <message>
        <source>no price</source>
        <translation>chưa có giá</translation>
    </message>
    <message>
        <source>a {role}&apos;s signature</source>
        <translation>chữ ký của {role}</translation>
    </message>
    <message>
        <source>No Temporal Web UI is configured (ORDER_DESK_TEMPORAL_UI_URL)</source>
        <translation>Chưa cấu hình Temporal Web UI (ORDER_DESK_TEMPORAL_UI_URL)</translation>
    </message>
    <message>
        <source>Reminder sent</source>
        <translation>Đã gửi nhắc nhở</translation>
    </message>
    <message>
        <source>Signed, awaits the next step</source>
        <translation>Đã ký, chờ bước tiếp theo</translation>
    </message>
    <message>
        <source>History unavailable: {error}</source>
        <translation>Không tải được lịch sử: {error}</translation>
    </message>
</context>
<context>
    <name>ExportDialog</name>
    <message>
        <source>Export orders</source>
        <translation>Xuất đơn hàng</translation>
    </message>
    <message>
        <source>CSV files (*.csv)</source>
        <translation>Tệp CSV (*.csv)</translation>
    </message>
    <message>
        <source>All files (*)</source>
        <translation>Mọi tệp (*)</translation>
    </message>
    <message>
        <source>Export</source>
        <translation>Xuất</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Hủy</translation>
    </message>
    <message>
        <source>File name:</source>
        <translation>Tên tệp:</translation>
    </message>
    <message>
        <source>Type:</source>
        <translation>Loại tệp:</translation>
    </message>
    <message>
        <source>Look in:</source>
        <translation>Thư mục:</translation>
    </message>
</context>
<context>
    <name>Identity</name>
    <message>
        <source>clerk</source>
        <translation>nhân viên</translation>
    </message>
    <message>
        <source>manager</source>
        <translation>quản lý</translation>
    </message>
    <message>
        <source>director</source>
        <translation>giám đốc</translation>
    </message>
    <message>
        <source>Signed in as {name} · {url}</source>
        <translation>Đã đăng nhập là {name} · {url}</translation>
    </message>
    <message>
        <source>Signed in as {name} ({role}) · {url}</source>
        <translation>Đã đăng nhập là {name} ({role}) · {url}</translation>
    </message>
    <message>
        <source>Not signed in: sign in to act on these orders</source>
        <translation>Chưa đăng nhập: hãy đăng nhập để xử lý các đơn hàng này</translation>
    </message>
    <message>
        <source>Acting as {name}</source>
        <translation>Người thao tác: {name}</translation>
    </message>
    <message>
        <source>Acting as {name} ({role})</source>
        <translation>Người thao tác: {name} ({role})</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>Order Desk</source>
        <translation>Order Desk</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>&amp;Tệp</translation>
    </message>
    <message>
        <source>&amp;Orders</source>
        <translation>&amp;Đơn hàng</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>&amp;Xem</translation>
    </message>
    <message>
        <source>&amp;Language</source>
        <translation>&amp;Ngôn ngữ</translation>
    </message>
    <message>
        <source>&amp;Worker</source>
        <translation>&amp;Bộ xử lý</translation>
    </message>
    <message>
        <source>Decisions</source>
        <translation>Quyết định</translation>
    </message>
    <message>
        <source>&amp;Connect to server…</source>
        <translation>&amp;Kết nối tới máy chủ…</translation>
    </message>
    <message>
        <source>Sign in to a team server with your personal token</source>
        <translation>Đăng nhập vào máy chủ của nhóm bằng mã truy cập cá nhân</translation>
    </message>
    <message>
        <source>Sign &amp;out</source>
        <translation>Đăng &amp;xuất</translation>
    </message>
    <message>
        <source>Forget your token on this computer and work on this desk&apos;s own Temporal server</source>
        <translation>Quên mã truy cập trên máy tính này và làm việc trên máy chủ Temporal riêng của bàn làm việc này</translation>
    </message>
    <message>
        <source>&amp;Export…</source>
        <translation>&amp;Xuất…</translation>
    </message>
    <message>
        <source>Export the orders of this view, search applied, as CSV</source>
        <translation>Xuất các đơn của chế độ xem này (theo cả từ khóa tìm kiếm) ra tệp CSV</translation>
    </message>
    <message>
        <source>&amp;Refresh now</source>
        <translation>&amp;Làm mới ngay</translation>
    </message>
    <message>
        <source>&amp;New order</source>
        <translation>Đơn hàng &amp;mới</translation>
    </message>
    <message>
        <source>&amp;Find</source>
        <translation>&amp;Tìm</translation>
    </message>
    <message>
        <source>Copy order &amp;ID</source>
        <translation>Sao chép &amp;mã đơn</translation>
    </message>
    <message>
        <source>Copy the IDs of the selected orders</source>
        <translation>Sao chép mã của các đơn đã chọn</translation>
    </message>
    <message>
        <source>Open in Temporal &amp;Web UI</source>
        <translation>Mở trong Temporal &amp;Web UI</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>&amp;Thoát</translation>
    </message>
    <message>
        <source>Run embedded &amp;worker</source>
        <translation>Chạy &amp;bộ xử lý nhúng</translation>
    </message>
    <message>
        <source>The team server runs the workers</source>
        <translation>Máy chủ của nhóm chạy các worker</translation>
    </message>
    <message>
        <source>Start or stop the worker inside this desk</source>
        <translation>Khởi động hoặc dừng worker bên trong bàn làm việc này</translation>
    </message>
    <message>
        <source>{language} is not available: its translation catalogue {path} could not be loaded.</source>
        <translation>Không dùng được {language}: không tải được tệp bản dịch {path}.</translation>
    </message>
</context>
<context>
    <name>MessageBar</name>
    <message>
        <source>Retry</source>
        <translation>Thử lại</translation>
    </message>
    <message>
        <source>Dismiss</source>
        <translation>Đóng thông báo</translation>
    </message>
</context>
<context>
    <name>OrderForm</name>
    <message>
        <source>New order</source>
        <translation>Đơn hàng mới</translation>
    </message>
    <message>
        <source>What is ordered, e.g. Laptop Dell XPS 15</source>
        <translation>Mặt hàng cần đặt, ví dụ: Laptop Dell XPS 15</translation>
    </message>
    <message>
        <source>Create order</source>
        <translation>Tạo đơn</translation>
    </message>
    <message>
        <source>Create the order (Enter)</source>
        <translation>Tạo đơn hàng (Enter)</translation>
    </message>
    <message>
        <source>&amp;Item</source>
        <translation>&amp;Mặt hàng</translation>
    </message>
    <message>
        <source>&amp;Quantity</source>
        <translation>&amp;Số lượng</translation>
    </message>
    <message>
        <source>Unit &amp;price</source>
        <translation>Đơn &amp;giá</translation>
    </message>
    <message>
        <source>optional, e.g. {example}</source>
        <translation>không bắt buộc, ví dụ {example}</translation>
    </message>
    <message>
        <source>The price of one item, written as your language writes numbers; leave it empty for an order without a price</source>
        <translation>Giá của một đơn vị, viết số theo ngôn ngữ của bạn; để trống nếu đơn không có giá</translation>
    </message>
    <message>
        <source>The currency of the price (ISO 4217, such as VND or USD)</source>
        <translation>Đơn vị tiền tệ của giá (ISO 4217, như VND hoặc USD)</translation>
    </message>
    <message>
        <source>Enter a whole number, such as 12.</source>
        <translation>Nhập một số nguyên, ví dụ 12.</translation>
    </message>
    <message>
        <source>Enter a number such as {example}.</source>
        <translation>Nhập một số, ví dụ {example}.</translation>
    </message>
    <message>
        <source>A price is 0 or more.</source>
        <translation>Giá phải từ 0 trở lên.</translation>
    </message>
    <message>
        <source>{currency} has no decimals.</source>
        <translation>{currency} không có phần thập phân.</translation>
    </message>
    <message>
        <source>{currency} has at most {count} decimals.</source>
        <translation>{currency} có tối đa {count} chữ số thập phân.</translation>
    </message>
    <message>
        <source>Not a currency code: enter one such as VND or USD.</source>
        <translation>Không phải mã tiền tệ: hãy nhập mã như VND hoặc USD.</translation>
    </message>
    <message>
        <source>Quantity × price must be below {limit}.</source>
        <translation>Số lượng × đơn giá phải nhỏ hơn {limit}.</translation>
    </message>
    <message>
        <source>A price is below {limit}.</source>
        <translation>Giá phải nhỏ hơn {limit}.</translation>
    </message>
    <message>
        <source>Enter what is ordered.</source>
        <translation>Hãy nhập mặt hàng cần đặt.</translation>
    </message>
    <message>
        <source>At most {count} characters.</source>
        <translation>Tối đa {count} ký tự.</translation>
    </message>
    <message>
        <source>At least {count}.</source>
        <translation>Tối thiểu {count}.</translation>
    </message>
    <message>
        <source>At most {count}.</source>
        <translation>Tối đa {count}.</translation>
    </message>
    <message>
        <source>Remove the control character {character} (a tab, a line break or an invisible character).</source>
        <translation>Hãy xóa ký tự điều khiển {character} (dấu tab, dấu xuống dòng hoặc ký tự ẩn).</translation>
    </message>
</context>
<context>
    <name>OrderStatus</name>
    <message>
        <source>Validating</source>
        <translation>Đang kiểm tra</translation>
    </message>
    <message>
        <source>Pending approval</source>
        <translation>Chờ phê duyệt</translation>
    </message>
    <message>
        <source>Approved</source>
        <translation>Đã phê duyệt</translation>
    </message>
    <message>
        <source>Rejected</source>
        <translation>Đã từ chối</translation>
    </message>
    <message>
        <source>Cancelled</source>
        <translation>Đã hủy</translation>
    </message>
    <message>
        <source>Expired</source>
        <translation>Đã hết hạn</translation>
    </message>
    <message>
        <source>Terminated</source>
        <translation>Đã chấm dứt</translation>
    </message>
</context>
<context>
    <name>OrderView</name>
    <message>
        <source>Pending</source>
        <translation>Đang chờ</translation>
    </message>
    <message>
        <source>Needs my review</source>
        <translation>Chờ tôi duyệt</translation>
    </message>
    <message>
        <source>All</source>
        <translation>Tất cả</translation>
    </message>
</context>
<context>
    <name>OrdersModel</name>
    <message>
        <source>Order ID</source>
        <translation>Mã đơn</translation>
    </message>
    <message>
        <source>Item</source>
        <translation>Mặt hàng</translation>
    </message>
    <message>
        <source>Quantity</source>
        <translation>Số lượng</translation>
    </message>
    <message>
        <source>Amount</source>
        <translation>Thành tiền</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Trạng thái</translation>
    </message>
    <message>
        <source>Awaiting</source>
        <translation>Chờ ký</translation>
    </message>
    <message>
        <source>Created by</source>
        <translation>Người tạo</translation>
    </message>
    <message>
        <source>Created at</source>
        <translation>Tạo lúc</translation>
    </message>
    <message>
        <source>Age</source>
        <translation>Tuổi đơn</translation>
    </message>
</context>
<context>
    <name>OrdersTable</name>
    <message>
        <source>Search items…</source>
        <translation>Tìm mặt hàng…</translation>
    </message>
    <message>
        <source>Shows the orders whose item contains this text; File → Export writes the same orders</source>
        <translation>Hiện các đơn có mặt hàng chứa chuỗi này; Tệp → Xuất ghi ra đúng các đơn đó</translation>
    </message>
    <message>
        <source>{view} ({count})</source>
        <translation>{view} ({count})</translation>
    </message>
    <message>
        <source>The orders awaiting a signature you may give</source>
        <translation>Các đơn đang chờ chữ ký mà bạn có thể ký</translation>
    </message>
</context>
<context>
    <name>Outcome</name>
    <message>
        <source>Order {order} approved.</source>
        <translation>Đã phê duyệt đơn {order}.</translation>
    </message>
    <message>
        <source>Order {order} rejected.</source>
        <translation>Đã từ chối đơn {order}.</translation>
    </message>
    <message>
        <source>Order {order} cancelled.</source>
        <translation>Đã hủy đơn {order}.</translation>
    </message>
    <message>
        <source>Order {order} is now {status}.</source>
        <translation>Đơn {order} hiện ở trạng thái {status}.</translation>
    </message>
    <message>
        <source>Order {order}: your approval is recorded; it awaits the next step.</source>
        <translation>Đơn {order}: đã ghi nhận phê duyệt của bạn; đơn đang chờ bước tiếp theo.</translation>
    </message>
    <message>
        <source>Signed, awaits the next step</source>
        <translation>Đã ký, chờ bước tiếp theo</translation>
    </message>
    <message>
        <source>Approved: {ok}. Refused: {refused}.</source>
        <translation>Đã phê duyệt: {ok}. Không thực hiện được: {refused}.</translation>
    </message>
    <message>
        <source>Rejected: {ok}. Refused: {refused}.</source>
        <translation>Đã từ chối: {ok}. Không thực hiện được: {refused}.</translation>
    </message>
    <message>
        <source>Cancelled: {ok}. Refused: {refused}.</source>
        <translation>Đã hủy: {ok}. Không thực hiện được: {refused}.</translation>
    </message>
    <message>
        <source>Approved: {ok}. Signed, awaiting the next step: {signed}. Refused: {refused}.</source>
        <translation>Đã phê duyệt: {ok}. Đã ký, chờ bước tiếp theo: {signed}. Không thực hiện được: {refused}.</translation>
    </message>
</context>
<context>
    <name>PendingNotifier</name>
    <message>
        <source>{quantity} × {item} from {creator} ({order})</source>
        <translation>{quantity} × {item} của {creator} ({order})</translation>
    </message>
    <message>
        <source>New order awaits approval</source>
        <translation>Có đơn mới chờ phê duyệt</translation>
    </message>
    <message>
        <source>{count} new orders await approval</source>
        <translation>{count} đơn mới chờ phê duyệt</translation>
    </message>
    <message>
        <source>Order Desk</source>
        <translation>Order Desk</translation>
    </message>
</context>
<context>
    <name>Refusal</name>
    <message>
        <source>cannot approve an order that is {status}</source>
        <translation>không thể phê duyệt đơn {status}</translation>
    </message>
    <message>
        <source>cannot reject an order that is {status}</source>
        <translation>không thể từ chối đơn {status}</translation>
    </message>
    <message>
        <source>cannot cancel an order that is {status}</source>
        <translation>không thể hủy đơn {status}</translation>
    </message>
    <message>
        <source>this order cannot be approved now</source>
        <translation>hiện không thể phê duyệt đơn này</translation>
    </message>
    <message>
        <source>this order cannot be rejected now</source>
        <translation>hiện không thể từ chối đơn này</translation>
    </message>
    <message>
        <source>this order cannot be cancelled now</source>
        <translation>hiện không thể hủy đơn này</translation>
    </message>
    <message>
        <source>only a manager may approve</source>
        <translation>chỉ quản lý mới được phê duyệt</translation>
    </message>
    <message>
        <source>only a manager may reject</source>
        <translation>chỉ quản lý mới được từ chối</translation>
    </message>
    <message>
        <source>only a manager may cancel</source>
        <translation>chỉ quản lý mới được hủy</translation>
    </message>
    <message>
        <source>you may not approve this order</source>
        <translation>bạn không được phê duyệt đơn này</translation>
    </message>
    <message>
        <source>you may not reject this order</source>
        <translation>bạn không được từ chối đơn này</translation>
    </message>
    <message>
        <source>you may not cancel this order</source>
        <translation>bạn không được hủy đơn này</translation>
    </message>
    <message>
        <source>the four-eyes rule: you created this order, so someone else must approve it</source>
        <translation>quy tắc bốn mắt: bạn là người tạo đơn này nên phải có người khác phê duyệt</translation>
    </message>
    <message>
        <source>the four-eyes rule: you signed a step of this order already, so someone else must sign the next one</source>
        <translation>quy tắc bốn mắt: bạn đã ký một bước của đơn này nên bước tiếp theo phải do người khác ký</translation>
    </message>
    <message>
        <source>this step awaits the signature of a higher role than yours</source>
        <translation>bước này chờ chữ ký của một vai trò cao hơn vai trò của bạn</translation>
    </message>
    <message>
        <source>this step awaits a higher role than yours: only it may reject</source>
        <translation>bước này chờ một vai trò cao hơn vai trò của bạn: chỉ vai trò đó mới được từ chối</translation>
    </message>
    <message>
        <source>this step awaits a higher role than yours</source>
        <translation>bước này chờ một vai trò cao hơn vai trò của bạn</translation>
    </message>
    <message>
        <source>an order of a team server is decided by a signed-in user with a role</source>
        <translation>đơn của máy chủ nhóm phải do người dùng đã đăng nhập và có vai trò quyết định</translation>
    </message>
    <message>
        <source>a clerk may cancel only their own orders</source>
        <translation>nhân viên chỉ được hủy đơn do chính mình tạo</translation>
    </message>
    <message>
        <source>the order was not found</source>
        <translation>không tìm thấy đơn</translation>
    </message>
    <message>
        <source>no worker took the decision in time; it may still be applied once a worker runs (look at the order before deciding again); is a worker running?</source>
        <translation>không có worker nào nhận quyết định kịp thời; quyết định vẫn có thể được áp dụng khi có worker chạy (hãy xem lại đơn trước khi quyết định lại); worker có đang chạy không?</translation>
    </message>
    <message>
        <source>the service did not answer: {error}</source>
        <translation>dịch vụ không phản hồi: {error}</translation>
    </message>
</context>
<context>
    <name>RuntimeWatch</name>
    <message>
        <source>Starting…</source>
        <translation>Đang khởi động…</translation>
    </message>
    <message>
        <source>Could not start the embedded worker: {error}</source>
        <translation>Không khởi động được bộ xử lý nhúng: {error}</translation>
    </message>
    <message>
        <source>Could not stop the embedded worker: {error}</source>
        <translation>Không dừng được bộ xử lý nhúng: {error}</translation>
    </message>
    <message>
        <source>Temporal at {address} is back: orders can be created and decided again.</source>
        <translation>Temporal tại {address} đã hoạt động trở lại: có thể tạo và xử lý đơn như bình thường.</translation>
    </message>
    <message>
        <source>Temporal could not be restarted yet: {error}. Trying again in {seconds} s.</source>
        <translation>Chưa khởi động lại được Temporal: {error}. Sẽ thử lại sau {seconds} giây.</translation>
    </message>
    <message>
        <source>The embedded Temporal server stopped ({error}). Restarting it; until it is back, orders cannot be created or decided.</source>
        <translation>Máy chủ Temporal nhúng đã dừng ({error}). Đang khởi động lại; cho đến khi nó hoạt động trở lại, không thể tạo hay xử lý đơn.</translation>
    </message>
    <message>
        <source>Temporal at {address} stopped answering ({error}). Waiting for it; until it is back, orders cannot be created or decided.</source>
        <translation>Temporal tại {address} không còn phản hồi ({error}). Đang chờ; cho đến khi nó hoạt động trở lại, không thể tạo hay xử lý đơn.</translation>
    </message>
</context>
<context>
    <name>SettingsError</name>
    <message>
        <source>Order Desk cannot start</source>
        <translation>Order Desk không khởi động được</translation>
    </message>
    <message>
        <source>The approval policy {path} cannot be used.</source>
        <translation>Không dùng được chính sách phê duyệt {path}.</translation>
    </message>
    <message>
        <source>The setting {variable} cannot be used.</source>
        <translation>Không dùng được thiết lập {variable}.</translation>
    </message>
    <message>
        <source>Correct it and start Order Desk again.</source>
        <translation>Hãy sửa lại rồi khởi động Order Desk lần nữa.</translation>
    </message>
    <message>
        <source>Correct it and start Order Desk again. (order-desk policy check FILE says what is wrong with a policy file.)</source>
        <translation>Hãy sửa lại rồi khởi động Order Desk lần nữa. (Lệnh order-desk policy check TỆP cho biết tệp chính sách sai ở đâu.)</translation>
    </message>
</context>
<context>
    <name>SignIn</name>
    <message>
        <source>The server refused your token: it was revoked. Ask for a new one and sign in again.</source>
        <translation>Máy chủ từ chối mã truy cập của bạn: mã đã bị thu hồi. Hãy xin mã mới và đăng nhập lại.</translation>
    </message>
    <message>
        <source>The server does not accept this token. Check it and sign in again.</source>
        <translation>Máy chủ không chấp nhận mã truy cập này. Hãy kiểm tra lại và đăng nhập lại.</translation>
    </message>
    <message>
        <source>The server&apos;s certificate is not trusted: {error}. If the server uses a private certificate authority, set ORDER_DESK_SERVER_CA to its certificate.</source>
        <translation>Chứng chỉ của máy chủ không được tin cậy: {error}. Nếu máy chủ dùng tổ chức cấp chứng chỉ riêng, hãy đặt ORDER_DESK_SERVER_CA là chứng chỉ của tổ chức đó.</translation>
    </message>
    <message>
        <source>The server does not answer: {error}</source>
        <translation>Máy chủ không trả lời: {error}</translation>
    </message>
    <message>
        <source>The server answers in plain http://, not https://. If it runs on this computer, type its address with http://; elsewhere, ask for its https:// address (a token must not cross the network unencrypted).</source>
        <translation>Máy chủ trả lời bằng http:// thường, không phải https://. Nếu máy chủ chạy trên máy này, hãy nhập địa chỉ với http://; nếu ở nơi khác, hãy hỏi địa chỉ https:// của nó (mã truy cập không được đi qua mạng mà không mã hóa).</translation>
    </message>
    <message>
        <source>This address cannot be used: {error}</source>
        <translation>Không thể dùng địa chỉ này: {error}</translation>
    </message>
    <message>
        <source>Signing in failed: {error}</source>
        <translation>Đăng nhập thất bại: {error}</translation>
    </message>
    <message>
        <source>Sign in again to {url}: {why} What you typed is kept.</source>
        <translation>Hãy đăng nhập lại vào {url}: {why} Những gì bạn đã nhập vẫn được giữ.</translation>
    </message>
    <message>
        <source>Signing in to {url}…</source>
        <translation>Đang đăng nhập vào {url}…</translation>
    </message>
    <message>
        <source>Signed in to {url} as {name}.</source>
        <translation>Đã đăng nhập vào {url} với tên {name}.</translation>
    </message>
    <message>
        <source>This computer has no keyring, so your token is kept for this session only: you will be asked for it next time.</source>
        <translation>Máy tính này không có kho khóa (keyring), nên mã truy cập của bạn chỉ được giữ trong phiên này: lần sau bạn sẽ được hỏi lại.</translation>
    </message>
    <message>
        <source>Signed out of {url}; your token is forgotten on this computer. Starting the desk&apos;s own Temporal server…</source>
        <translation>Đã đăng xuất khỏi {url}; mã truy cập đã bị xóa khỏi máy tính này. Đang khởi động máy chủ Temporal riêng của bàn làm việc…</translation>
    </message>
    <message>
        <source>Enter your personal token for {url}.</source>
        <translation>Nhập mã truy cập cá nhân của bạn cho {url}.</translation>
    </message>
</context>
</TS>
