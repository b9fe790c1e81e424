using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace MicroComms.Orders.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class OrderStateTransitions : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "Transitions",
                table: "OrderSagas",
                type: "TEXT",
                nullable: false,
                defaultValue: "");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "Transitions",
                table: "OrderSagas");
        }
    }
}
