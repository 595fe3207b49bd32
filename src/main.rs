fn main() {
    sagascope::ui::install_panic_hook();
    leptos::mount::mount_to_body(sagascope::ui::App);
}
